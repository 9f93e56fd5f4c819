import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern } from '../../lambda/login/registry';
import { addConsoleBroker } from '../../lib/app';
import { brokerRoleArn } from '../../lib/names';
import { FakeAws } from '../fakes/aws';
import type { RunningBundle } from '../support/bundle';
import { testConfig } from '../support/config';
import { FUNCTION_URL_DOMAIN, functionUrlEvent } from '../support/events';
import { startLoginBundle } from '../support/login-bundle';

// Threat: a principal of the broker account with lambda:InvokeFunction invokes the login function
// directly, not through its URL, with an event that names any caller, and the broker believes it.

const ALICE = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com';

describe('a direct Invoke with a forged event, against the bundled IAM entry running as in Lambda', () => {
  const fake = new FakeAws();
  let bundle: RunningBundle;

  beforeAll(async () => {
    // Lambda sets AWS_LAMBDA_FUNCTION_NAME in every function; the fake environment's region is eu-west-1.
    bundle = await startLoginBundle(fake, 'directInvokeExternalId0123456789abcdefghijk', { AWS_LAMBDA_FUNCTION_NAME: 'ConsoleBroker-LoginFunction66F090C6-abcdefghijkl' });
  });

  afterAll(async () => {
    await bundle.stop();
    await fake.stop();
  });

  function forged(domainName: string, host = domainName, apiId = domainName.split('.')[0] ?? ''): unknown {
    const event = functionUrlEvent({ callerArn: ALICE, accept: 'application/json' });
    return { ...event, headers: { ...event.headers, host }, requestContext: { ...event.requestContext, domainName, domainPrefix: apiId, apiId } };
  }

  it('is refused with 403 before any AWS call when the event names no function URL of its region', async () => {
    const events = {
      'another host': forged('broker.attacker.example'),
      'another region': forged('abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws'),
      'a host header that is not the domain': forged(FUNCTION_URL_DOMAIN, 'broker.attacker.example'),
      'an API ID that is not the domain prefix': forged(FUNCTION_URL_DOMAIN, FUNCTION_URL_DOMAIN, 'zyxwvutsrqponmlkjihgfedcba543210'),
      'this machine, as the local sandbox': forged('127.0.0.1:9300', '127.0.0.1:9300', 'local'),
    };

    for (const [name, event] of Object.entries(events)) {
      const response = await bundle.invoke(event as never);
      expect(response.statusCode, name).toBe(403);
      expect(JSON.parse(response.body ?? '{}'), name).toMatchObject({ error: { code: 'Forbidden' } });
    }
    expect(fake.calls).toEqual([]);
  });

  it('passes when it copies a real event exactly: only the broker account policy can stop that', async () => {
    const response = await bundle.invoke(functionUrlEvent({ callerArn: ALICE, accept: 'application/json' }));

    expect(response.statusCode).toBe(200);
  });
});

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition: Record<string, Record<string, string>>;
}

describe('the service control policy for the broker account (policies/broker-account-scp.json)', () => {
  const scp = (): { Version: string; Statement: Statement[] } =>
    JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'policies', 'broker-account-scp.json'), 'utf8')) as { Version: string; Statement: Statement[] };
  const statement = (sid: string): Statement => {
    const found = scp().Statement.find((s) => s.Sid === sid);
    if (!found) throw new Error(`no statement ${sid}`);
    return found;
  };
  const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
  const config = testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } });
  const stack = addConsoleBroker(new App(), config).broker;
  // Without a FunctionName, CloudFormation names a function <stack>-<logical ID>-<random suffix>.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
  const entries = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).filter(([logicalId]) => /^(Login|Web)Function/.test(logicalId));
  const functionArns = entries.map(
    ([logicalId, fn]) => `arn:aws:lambda:eu-west-1:111111111111:function:${(fn.Properties as { FunctionName?: string }).FunctionName ?? `${stack.stackName}-${logicalId}-AbCdEf123456`}`,
  );
  const deployer = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';

  it('is a policy document of deny statements only', () => {
    const { Version, Statement: statements } = scp();

    expect(Version).toBe('2012-10-17');
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((s) => s.Effect === 'Deny')).toBe(true);
  });

  it('denies invoking both broker functions except through their function URLs', () => {
    const deny = statement('DenyInvokingTheBrokerExceptThroughItsFunctionUrl');

    expect(list(deny.Action)).toEqual(['lambda:InvokeFunction']);
    expect(functionArns).toHaveLength(2);
    for (const arn of functionArns) expect(list(deny.Resource).some((pattern) => matchesPattern(pattern, arn)), arn).toBe(true);
    expect(deny.Condition).toEqual({ BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' } });
  });

  it("denies changing the functions' code and configuration to all but the CloudFormation execution role", () => {
    const deny = statement('DenyChangingTheBrokerFunctionsExceptByCloudFormation');

    expect(list(deny.Action)).toEqual(expect.arrayContaining(['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:AddPermission', 'lambda:UpdateFunctionUrlConfig']));
    for (const arn of functionArns) expect(list(deny.Resource).some((pattern) => matchesPattern(pattern, arn)), arn).toBe(true);
    expect(matchesPattern(deny.Condition.ArnNotLike?.['aws:PrincipalArn'] ?? '', deployer)).toBe(true);
  });

  it("denies changing or passing the broker's role to all but the CloudFormation execution role", () => {
    const deny = statement('DenyChangingOrPassingTheBrokerRoleExceptByCloudFormation');

    expect(list(deny.Action)).toEqual(expect.arrayContaining(['iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']));
    expect(list(deny.Resource).some((pattern) => matchesPattern(pattern, brokerRoleArn('aws', config.accountId, config.region)))).toBe(true);
    expect(matchesPattern(deny.Condition.ArnNotLike?.['aws:PrincipalArn'] ?? '', deployer)).toBe(true);
  });
});
