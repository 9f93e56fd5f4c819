import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../lib/config';
import { cdkRoleArn, rotateExternalId, rotationClients, type RotationClients, type RotationOptions } from '../lib/rotation';
import { FakeAws } from './fakes/aws';
import type { Template } from './fakes/cloudformation';
import { externalIdTrustPolicy } from './fakes/iam';
import type { Credentials } from './fakes/sigv4';
import { bundledHandlerPath, startBundle, type RunningBundle } from './support/bundle';
import { deployCdkOut } from './support/deploy';
import { functionUrlEvent } from './support/events';
import { findLeaks } from './support/leaks';
import { CDK_OUT } from './support/paths';

// The bundle and templates in cdk.out come from config/console-broker.json.
const config = loadConfig(path.join(__dirname, '..', 'config', 'console-broker.json'));
const ADMIN = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com';
const BROKER_TARGET = 'prod-readonly';
const OWNER_TARGET = 'customer-acme';
const OPERATOR: Credentials = { accessKeyId: 'AKIAOPERATOR00000000', secretAccessKey: 'operator-secret-access-key' };

function target(name: string): (typeof config.targets)[number] {
  const found = config.targets.find((t) => t.name === name);
  if (!found) throw new Error(`config/console-broker.json has no target ${name}`);
  return found;
}

describe('rotating an external ID, against a model of how CloudFormation resolves dynamic references', () => {
  const aws = new FakeAws();
  let bundle: RunningBundle;
  /** Every login's status, with what the rotation had just done before it. */
  const logins: { after: string; target: string; status: number | undefined }[] = [];

  async function login(name: string, after: string): Promise<number | undefined> {
    const response = await bundle.invoke(functionUrlEvent({ path: `/${name}`, callerArn: ADMIN, accept: 'application/json' }));
    logins.push({ after, target: name, status: response.statusCode });
    return response.statusCode;
  }

  /** The operator's clients, through the real SDK, with a login of both targets after every AWS call they make. */
  function clientsThatLogIn(): RotationClients {
    const clients = rotationClients(config, 'hnb659fds');
    const loginAfterEveryCall = <I extends object, O extends object>(): InitializeMiddleware<I, O> => (next, context) => async (args) => {
      const result = await next(args);
      await login(BROKER_TARGET, String(context.commandName));
      await login(OWNER_TARGET, String(context.commandName));
      return result;
    };
    clients.secrets.middlewareStack.add(loginAfterEveryCall(), { step: 'initialize' });
    const cloudFormation = new Map<string, CloudFormationClient>();
    return {
      secrets: clients.secrets,
      cloudFormation: (accountId) => {
        const client = cloudFormation.get(accountId) ?? clients.cloudFormation(accountId);
        if (!cloudFormation.has(accountId)) client.middlewareStack.add(loginAfterEveryCall(), { step: 'initialize' });
        cloudFormation.set(accountId, client);
        return client;
      },
    };
  }

  const options = (overrides: Partial<RotationOptions> = {}): RotationOptions => ({
    settleSeconds: 1,
    ownerUpdated: false,
    executionRoleArn: (accountId) => cdkRoleArn(config, 'hnb659fds', 'cfn-exec-role', accountId),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: () => undefined,
    ...overrides,
  });

  beforeAll(async () => {
    await aws.start();
    deployCdkOut(aws, CDK_OUT, config);
    // The operator, in the broker account, and CDK's deploy role in the target account, which
    // `cdk bootstrap --trust 111111111111` lets the broker account assume.
    aws.principals.set(OPERATOR.accessKeyId, OPERATOR);
    aws.principalArns.set(OPERATOR.accessKeyId, 'arn:aws:iam::111111111111:role/operator');
    aws.roles.set(cdkRoleArn(config, 'hnb659fds', 'deploy-role', '222222222222'), {
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' }] },
    });
    for (const [key, value] of Object.entries({ ...aws.env(), AWS_ACCESS_KEY_ID: OPERATOR.accessKeyId, AWS_SECRET_ACCESS_KEY: OPERATOR.secretAccessKey, AWS_SESSION_TOKEN: '' })) {
      vi.stubEnv(key, value);
    }
    // Warm Lambdas keep an external ID for one second here (five minutes in AWS).
    bundle = await startBundle(bundledHandlerPath(), { ...aws.env(), EXTERNAL_ID_MAX_AGE_SECONDS: '1' });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await bundle.stop();
    expect(findLeaks(bundle.output(), aws)).toEqual([]);
    await aws.stop();
  });

  it("the old procedure (a new secret value, then a deploy of the unchanged stack) locks the target out: CloudFormation keeps the old ID", async () => {
    // Prepare: a copy of the target account's stack, as deployed
    const template = aws.deployments.stacks.get('ConsoleBrokerTarget-222222222222')?.template as Template;
    const shadow = new FakeAws();
    await shadow.start();
    deployCdkOut(shadow, CDK_OUT, config);
    const before = shadow.roles.get('arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly');

    // Act
    shadow.secrets.set('console-broker/external-id/prod-readonly', 'aNewExternalIdPutByHandAsTheReadmeSaid0123456789');
    const redeploy = (): void => { shadow.deployStack('ConsoleBrokerTarget-222222222222', '222222222222', template); };

    // Assess: nothing to update, and the trust policy still holds the old value
    expect(redeploy).toThrow(/No updates are to be performed/);
    expect(shadow.roles.get('arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly')).toEqual(before);
    expect(JSON.stringify(before)).not.toContain('aNewExternalIdPutByHand');
    await shadow.stop();
  });

  it('gives a broker-deployed target a new external ID, and no login fails on the way', async () => {
    const oldId = aws.secrets.get('console-broker/external-id/prod-readonly') ?? '';
    expect(await login(BROKER_TARGET, 'start')).toBe(200);

    const outcome = await rotateExternalId(target(BROKER_TARGET), clientsThatLogIn(), options());

    expect(outcome).toBe('done');
    expect(logins.filter((l) => l.target === BROKER_TARGET && l.status !== 200)).toEqual([]);
    expect(logins.filter((l) => l.after === 'UpdateStackCommand').length).toBeGreaterThanOrEqual(2);
    const newId = aws.secrets.get('console-broker/external-id/prod-readonly') ?? '';
    expect(newId).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(newId).not.toBe(oldId);
    // The trust policy now accepts the new ID alone: the old one opens nothing.
    const trust = JSON.stringify(aws.roles.get('arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly'));
    expect(trust).toContain(newId);
    expect(trust).not.toContain(oldId);
    expect(aws.secrets.versionIdWith('console-broker/external-id/prod-readonly', 'AWSPENDING')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await login(BROKER_TARGET, 'after the cache age')).toBe(200);
  });

  it('runs again from the start for the next rotation', async () => {
    const before = aws.secrets.get('console-broker/external-id/prod-readonly');

    expect(await rotateExternalId(target(BROKER_TARGET), clientsThatLogIn(), options())).toBe('done');

    expect(aws.secrets.get('console-broker/external-id/prod-readonly')).not.toBe(before);
    expect(logins.filter((l) => l.status !== 200)).toEqual([]);
  });

  it("waits for an owner-deployed target's owner, who accepts both IDs, then finishes; no login fails", async () => {
    const secretId = 'console-broker/external-id/customer-acme';
    const oldId = aws.secrets.get(secretId) ?? '';
    const ownerStack = 'ConsoleBrokerTarget-customer-acme';
    const ownerTemplate = JSON.parse(readFileSync(path.join(__dirname, '..', 'templates', 'console-broker-target.json'), 'utf8')) as Template;

    // Act 1: the broker side stages the new ID and says what the owner must do
    const lines: string[] = [];
    expect(await rotateExternalId(target(OWNER_TARGET), clientsThatLogIn(), options({ log: (line) => lines.push(line) }))).toBe('waiting-for-owner');
    expect(lines.join('\n')).toMatch(/NextExternalId/);
    expect(lines.join('\n')).not.toContain(aws.secrets.get(secretId, 'AWSPENDING'));
    // Act 2: the owner updates their stack with the new ID beside the old
    aws.deployStack(ownerStack, '333333333333', ownerTemplate, { NextExternalId: aws.secrets.get(secretId, 'AWSPENDING') ?? '' });
    expect(await rotateExternalId(target(OWNER_TARGET), clientsThatLogIn(), options({ ownerUpdated: true }))).toBe('done');
    const newId = aws.secrets.get(secretId) ?? '';
    // Act 3: the owner drops the old ID
    aws.deployStack(ownerStack, '333333333333', ownerTemplate, { ExternalId: newId, NextExternalId: '' });

    expect(newId).not.toBe(oldId);
    expect(await login(OWNER_TARGET, 'owner done')).toBe(200);
    expect(logins.filter((l) => l.status !== 200)).toEqual([]);
    expect(JSON.stringify(aws.roles.get('arn:aws:iam::333333333333:role/ConsoleBrokerReadOnly'))).not.toContain(oldId);
  });

  it('says what to do when the target stack predates rotation, before it creates anything', async () => {
    // Prepare: the stack as an older release deployed it, without the version parameters
    const before = aws.secrets.stages('console-broker/external-id/prod-billing');
    const stack = aws.deployments.stacks.get('ConsoleBrokerTarget-222222222222');
    if (!stack) throw new Error('no target stack');
    const parameters = stack.parameters;
    stack.parameters = {};

    const outcome = rotateExternalId(target('prod-billing'), clientsThatLogIn(), options());

    await expect(outcome).rejects.toThrow(/ConsoleBrokerTarget-222222222222 has no parameter ExternalIdVersionprodXbilling.*run cdk deploy ConsoleBrokerTarget-222222222222 first/);
    expect(aws.secrets.stages('console-broker/external-id/prod-billing')).toEqual(before);
    stack.parameters = parameters;
  });

  it('the fake refuses an external ID the deployed trust policy does not hold', async () => {
    aws.roles.set('arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly', { trustPolicy: externalIdTrustPolicy(['somethingElseEntirely0123456789abcdef'], 'arn:aws:iam::111111111111:role/console-broker-login-eu-west-1') });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await login(BROKER_TARGET, 'trust drifted')).toBe(502);
    logins.pop();
  });
});
