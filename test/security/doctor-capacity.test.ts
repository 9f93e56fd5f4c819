import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { testConfig } from '../support/config';

// Threat: the doctor's runs crowd out logins. A run holds one execution for up to five minutes when
// AWS is slow and makes up to 8 STS calls at a time as the login role, in the broker account, whose STS
// rate every login shares (https://repost.aws/knowledge-center/iam-sts-throttling-error). An operator's
// script in a loop, or a retrying CLI, could start hundreds of runs: they would draw from the account's
// unreserved concurrency, the login function's pool unless `reservedConcurrency` is set, and from STS's
// rate, so logins would be throttled (429) or fail with AssumeRoleFailed (Throttling).

type Json = Record<string, unknown>;
const OPERATOR = 'arn:aws:sts::555555555555:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/*';

describe("the doctor's share of the broker's capacity", () => {
  let broker: Template;

  beforeAll(() => {
    broker = Template.fromStack(addConsoleBroker(new App(), testConfig({ operators: [OPERATOR] })).broker);
  });

  function doctorLogicalId(): string {
    const ids = Object.keys(broker.findResources('AWS::Lambda::Function')).filter((id) => /^DoctorFunction[0-9A-F]{8}$/.test(id));
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  }

  it('caps the doctor at two runs at a time, so no number of doctor calls takes capacity from logins', () => {
    const functions = broker.findResources('AWS::Lambda::Function') as Record<string, { Properties: Json }>;

    const reserved = functions[doctorLogicalId()]?.Properties.ReservedConcurrentExecutions;

    expect(reserved).toEqual(expect.any(Number));
    expect(Number(reserved)).toBeGreaterThanOrEqual(1);
    expect(Number(reserved)).toBeLessThanOrEqual(2);
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
