import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern } from '../../lambda/core/registry';
import { addConsoleBroker } from '../../lib/app';
import { brokerAccountScp, brokerAccountScpJson, SCP_MAX_CHARACTERS, type ServiceControlPolicy } from '../../lib/broker-scp';
import { loadConfig } from '../../lib/config';
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

describe('the service control policy for the broker account (npm run broker-scp)', () => {
  const config = testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } });
  const scp = brokerAccountScp(config);
  const statement = (sid: string): ServiceControlPolicy['Statement'][number] => {
    const found = scp.Statement.find((s) => s.Sid === sid);
    if (!found) throw new Error(`no statement ${sid}`);
    return found;
  };
  const stack = addConsoleBroker(new App(), config).broker;
  // Without a FunctionName, CloudFormation names a function <stack>-<logical ID>-<random suffix>.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
  const entries = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  const functionArns = entries.map(
    ([logicalId, fn]) => `arn:aws:lambda:eu-west-1:111111111111:function:${(fn.Properties as { FunctionName?: string }).FunctionName ?? `${stack.stackName}-${logicalId}-AbCdEf123456`}`,
  );
  const deployer = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';

  it('is shipped as generated from config/console-broker.json', () => {
    const shipped = readFileSync(path.join(__dirname, '..', '..', 'policies', 'broker-account-scp.json'), 'utf8');

    expect(shipped).toBe(brokerAccountScpJson(loadConfig(path.join(__dirname, '..', '..', 'config', 'console-broker.json'))));
    expect(shipped.length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
  });

  it('is a policy document of deny statements only', () => {
    const parsed = JSON.parse(brokerAccountScpJson(config)) as { Version: string; Statement: { Effect: string }[] };

    expect(parsed.Version).toBe('2012-10-17');
    expect(parsed.Statement.length).toBeGreaterThan(0);
    expect(parsed.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
  });

  it('denies invoking every broker function except through its function URL', () => {
    const deny = statement('DenyInvokingTheBrokerExceptThroughItsFunctionUrl');

    expect(deny).toHaveProperty('Action', ['lambda:InvokeFunction']);
    expect(functionArns).toHaveLength(3);
    for (const arn of functionArns) expect(deny.Resource.some((pattern) => matchesPattern(pattern, arn)), arn).toBe(true);
    expect(deny.Condition).toEqual({ BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' } });
  });

  it("denies changing the functions' code and configuration to all but the exact CloudFormation execution role", () => {
    const deny = statement('DenyChangingTheBrokerFunctionsExceptByCloudFormation');

    expect(deny).toHaveProperty('Action', expect.arrayContaining(['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:AddPermission', 'lambda:UpdateFunctionUrlConfig']));
    for (const arn of functionArns) expect(deny.Resource.some((pattern) => matchesPattern(pattern, arn)), arn).toBe(true);
    expect(deny.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [deployer] } });
  });

  it("denies changing or passing the broker's roles to all but the exact CloudFormation execution role", () => {
    const deny = statement('DenyChangingOrPassingTheBrokerRolesExceptByCloudFormation');

    expect(deny).toHaveProperty('Action', expect.arrayContaining(['iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']));
    expect(deny.Resource).toEqual([brokerRoleArn('aws', config.accountId, config.region), 'arn:aws:iam::111111111111:role/console-broker-slack-eu-west-1']);
    expect(deny.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [deployer] } });
  });

  it('names the roles of another bootstrap qualifier and exempts an admin role, which it also protects', () => {
    const policy = brokerAccountScp(config, { qualifier: 'broker', adminRoleName: 'admins/BrokerAdmin' });
    const deny = policy.Statement.find((s) => s.Sid === 'DenyCreatingOrChangingTheCdkRolesExceptByBootstrap');

    expect(deny?.Resource).toEqual(['arn:aws:iam::111111111111:role/cdk-broker-*', 'arn:aws:iam::111111111111:role/*/cdk-broker-*', 'arn:aws:iam::111111111111:role/admins/BrokerAdmin']);
    expect(deny?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/cdk-broker-cfn-exec-role-111111111111-eu-west-1', 'arn:aws:iam::111111111111:role/admins/BrokerAdmin'] },
    });
    expect(() => brokerAccountScp(config, { qualifier: 'far-too-long' })).toThrow(/qualifier must be 1-10/);
    expect(() => brokerAccountScp(config, { adminRoleName: 'arn:aws:iam::111111111111:role/BrokerAdmin' })).toThrow(/admin role must be an IAM role name/);
  });
});
