import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { testConfig } from '../support/config';
import { CDK_OUT } from '../support/paths';

// Threat: the doctor's runs crowd out logins. A run holds one execution for up to five minutes when
// AWS is slow and makes up to 8 STS calls at a time as the login role, in the broker account, whose STS
// rate every login shares (https://repost.aws/knowledge-center/iam-sts-throttling-error). An operator's
// script in a loop, or a retrying CLI, could start hundreds of runs: they would draw from the account's
// unreserved concurrency, the login function's pool unless `reservedConcurrency` is set, and from STS's
// rate, so logins would be throttled (429) or fail with AssumeRoleFailed (Throttling).
// The cap is the doctor's reserved concurrency, which a new account's Lambda quota (often 10, and Lambda
// keeps 100 unreserved: https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)
// cannot spare: the first deploy would fail. So it is the operator's `doctorReservedConcurrency`, set
// once `console-broker preflight` says the account can spare it, and the capacity is held to that.

type Json = Record<string, unknown>;
const OPERATOR = 'arn:aws:sts::555555555555:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/*';

describe("the doctor's share of the broker's capacity", () => {
  let broker: Template;

  beforeAll(() => {
    broker = Template.fromStack(addConsoleBroker(new App(), testConfig({ operators: [OPERATOR], doctorReservedConcurrency: 2 })).broker);
  });

  function doctorLogicalId(): string {
    const ids = Object.keys(broker.findResources('AWS::Lambda::Function')).filter((id) => /^DoctorFunction[0-9A-F]{8}$/.test(id));
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  }

  it('caps the doctor at the configured two runs at a time, so no number of doctor calls takes more capacity from logins', () => {
    const functions = broker.findResources('AWS::Lambda::Function') as Record<string, { Properties: Json }>;

    const doctor = functions[doctorLogicalId()]?.Properties.ReservedConcurrentExecutions;
    const others = Object.entries(functions).filter(([id]) => id !== doctorLogicalId()).map(([, fn]) => fn.Properties.ReservedConcurrentExecutions);

    expect(doctor).toBe(2);
    // The entries' own reservation is `reservedConcurrency`, apart.
    expect(others.filter((r) => r !== undefined)).toEqual([]);
  });

  it('reserves nothing unless configured, so a new account whose quota spares no reservation can deploy', () => {
    // cdk.out holds the shipped configuration's synthesis, which configures no reservation.
    const shipped = JSON.parse(readFileSync(path.join(CDK_OUT, 'ConsoleBroker.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Json }> };

    const reservations = Object.values(shipped.Resources).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties.ReservedConcurrentExecutions);

    expect(reservations.length).toBeGreaterThanOrEqual(2);
    expect(reservations.filter((r) => r !== undefined)).toEqual([]);
  });

  it('drops a scheduled run that could not start within the hour, and repeats no failed run', () => {
    // A throttled asynchronous event is retried for up to six hours by default, a failed one twice more:
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    broker.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: doctorLogicalId() },
      MaximumEventAgeInSeconds: 3600,
      MaximumRetryAttempts: 0,
    });
  });

  it('alarms on throttled doctor runs', () => {
    broker.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: doctorLogicalId() } }],
      Threshold: Match.anyValue(),
    });
  });
});
