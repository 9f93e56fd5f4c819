import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fakes/aws';
import type { Credentials } from './fakes/sigv4';
import { synthesizeBroker } from './support/broker-assembly';
import { cli, type Run } from './support/cli';
import { testConfig } from './support/config';
import { deployCdkOut } from './support/deploy';
import { findLeaks } from './support/leaks';
import { CDK_OUT } from './support/paths';
import { SANDBOX_CALLERS, startSandbox } from '../sandbox/sandbox';

const BROKER = '111111111111';
const TARGET = '222222222222';
const REGION = 'eu-west-1';
const VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';
const OPERATOR: Credentials = { accessKeyId: 'AKIAPREFLIGHTOPERATOR', secretAccessKey: 'preflight-operator-secret-key' };
// A configuration that reserves two executions for the doctor; its targets deploy into 222222222222.
const config = testConfig({ doctorReservedConcurrency: 2 });

describe('console-broker preflight against the fakes', () => {
  let cdkOut: string;
  let aws: FakeAws;

  beforeAll(() => {
    cdkOut = synthesizeBroker(config, 'preflight-cdk-out-');
  });

  beforeEach(async () => {
    aws = await new FakeAws().start();
    aws.principals.set(OPERATOR.accessKeyId, OPERATOR);
    aws.principalArns.set(OPERATOR.accessKeyId, `arn:aws:iam::${BROKER}:role/Admin`);
  });

  afterEach(async () => {
    await aws.stop();
  });

  /** `cdk bootstrap` writes its version to SSM; with --trust, its lookup role admits the broker account (the CDK's bootstrap template). */
  function bootstrap(account: string, version: string): void {
    aws.ssmParameters.set(`${account}/${REGION}/${VERSION_PARAMETER}`, version);
    if (account !== BROKER) {
      aws.roles.set(`arn:aws:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${REGION}`, {
        trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${BROKER}:root` }, Action: 'sts:AssumeRole' }] },
      });
    }
  }

  async function preflight(): Promise<Run> {
    // The fakes' endpoints, without the broker's session token: the operator signs with its own keys.
    const endpoints = Object.fromEntries(Object.entries(aws.env()).filter(([key]) => key !== 'AWS_SESSION_TOKEN'));
    const run = await cli(['preflight', '--cdk-out', cdkOut], { ...endpoints, AWS_ACCESS_KEY_ID: OPERATOR.accessKeyId, AWS_SECRET_ACCESS_KEY: OPERATOR.secretAccessKey });
    expect(findLeaks(run.stdout + run.stderr, aws)).toEqual([]);
    return run;
  }

  const lines = (run: Run): string[] => run.stdout.trim().split('\n');

  it('says in one sentence that a new account with a quota of 10 cannot reserve, and what to ask for', async () => {
    // Lambda keeps 100 unreserved: https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    aws.lambdaConcurrency.set(BROKER, { quota: 10, reserved: 0 });
    bootstrap(BROKER, '30');
    bootstrap(TARGET, '30');

    const run = await preflight();

    expect(run.code).toBe(1);
    expect(lines(run)).toContain(
      `would fail: Lambda concurrency in ${BROKER}/${REGION}: the broker stack reserves 2 concurrent executions (DoctorFunction 2), which would leave 8 of the account's 10 unreserved, and Lambda keeps at least 100 unreserved (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html): ask Service Quotas for Lambda "Concurrent executions" of at least 102 in ${REGION}, or leave reservedConcurrency and doctorReservedConcurrency out of the configuration.`,
    );
    expect(lines(run).filter((l) => l.startsWith('would fail:'))).toHaveLength(1);
  });

  it('says which account is not bootstrapped and which one is too old for the templates', async () => {
    bootstrap(BROKER, '5');
    bootstrap(TARGET, '30');
    aws.ssmParameters.delete(`${TARGET}/${REGION}/${VERSION_PARAMETER}`);

    const run = await preflight();

    expect(run.code).toBe(1);
    expect(lines(run)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^would fail: CDK bootstrap in ${BROKER}/${REGION}: bootstrap version 5 is older than the 6 the templates need`)),
        expect.stringMatching(new RegExp(`^would fail: CDK bootstrap in ${TARGET}/${REGION}: not bootstrapped \\(no SSM parameter ${VERSION_PARAMETER}\\).*--trust ${BROKER}`)),
      ]),
    );
  });

  it('says a secret name taken by a foreign secret, a leftover or one scheduled for deletion would fail the create', async () => {
    bootstrap(BROKER, '30');
    bootstrap(TARGET, '30');
    aws.secrets.set('console-broker/external-id/prod-readonly', 'made-by-hand');
    aws.secrets.set('console-broker/external-id/prod-billing', 'left-behind').tag('console-broker/external-id/prod-billing', {
      'aws:cloudformation:stack-name': `ConsoleBrokerExternalIds-${TARGET}`,
      'aws:cloudformation:stack-id': `arn:aws:cloudformation:${REGION}:${BROKER}:stack/ConsoleBrokerExternalIds-${TARGET}/an-earlier-one`,
    });
    aws.secrets.set('console-broker/external-id/locked', 'deleted').scheduleDeletion('console-broker/external-id/locked', new Date('2030-01-08T00:00:00Z'));

    const run = await preflight();

    expect(run.code).toBe(1);
    expect(lines(run)).toEqual(
      expect.arrayContaining([
        // Each secret is judged against the stack that creates it: the stack of its account's external IDs.
        expect.stringMatching(new RegExp(`^would fail: secret console-broker/external-id/prod-readonly: already exists and was made outside the ConsoleBrokerExternalIds-${TARGET} stack, so CloudFormation cannot create it`)),
        expect.stringMatching(new RegExp(`^would fail: secret console-broker/external-id/prod-billing: already exists and was left by an earlier ConsoleBrokerExternalIds-${TARGET} stack`)),
        expect.stringMatching(/^would fail: secret console-broker\/external-id\/locked: is scheduled for deletion on 2030-01-08T00:00:00\.000Z and keeps its name until then/),
        'ok: secret names: 1 free, 0 already the deployed stacks\' own.',
      ]),
    );
  });

  it('passes a ready account, and again once deployed, when the secrets are the stack\'s own', async () => {
    aws.lambdaConcurrency.set(BROKER, { quota: 1000, reserved: 0 });
    bootstrap(BROKER, '30');
    bootstrap(TARGET, '30');

    const before = await preflight();
    deployCdkOut(aws, cdkOut, config);
    const after = await preflight();

    for (const run of [before, after]) {
      expect(run.code).toBe(0);
      expect(lines(run).slice(0, -1).every((l) => l.startsWith('ok: '))).toBe(true);
      expect(lines(run).at(-1)).toBe('Nothing found that would fail cdk deploy.');
    }
    expect(lines(before)).toContain('ok: secret names: 4 free, 0 already the deployed stacks\' own.');
    expect(lines(after)).toContain('ok: secret names: 0 free, 4 already the deployed stacks\' own.');
  });

  it('names the role and the profile it needs for an account it cannot reach', async () => {
    bootstrap(BROKER, '30');
    aws.ssmParameters.set(`${TARGET}/${REGION}/${VERSION_PARAMETER}`, '30');

    const run = await preflight();

    expect(run.code).toBe(0);
    expect(lines(run)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^could not check: CDK bootstrap in ${TARGET}/${REGION}: these credentials are for ${BROKER} and could not assume the bootstrap's lookup role arn:aws:iam::${TARGET}:role/cdk-hnb659fds-lookup-role-${TARGET}-${REGION} \\(AccessDenied\\).*--profile <a profile for ${TARGET}>`),
      ),
    );
    expect(lines(run).at(-1)).toBe('Nothing found that would fail cdk deploy, but 1 could not be checked.');
  });

  it('runs against the sandbox as npm start prints it, and finds nothing that would fail', async () => {
    const sandbox = await startSandbox({ browserEntry: false, slackEntry: false });
    try {
      const endpoints = Object.fromEntries(sandbox.preflightEndpoints.split(' ').map((pair) => pair.split('=') as [string, string]));
      const { accessKeyId, secretAccessKey } = SANDBOX_CALLERS.allowed.credentials;

      const run = await cli(['preflight', '--cdk-out', CDK_OUT], { ...endpoints, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey });

      expect(run.code).toBe(0);
      expect(lines(run).at(-1)).toBe('Nothing found that would fail cdk deploy.');
      expect(findLeaks(run.stdout, sandbox.aws)).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  });
});
