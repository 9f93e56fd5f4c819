import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError, LOCAL_SIGNIN_ORIGIN_VARIABLE, requestConsoleLogin } from '../cli/client';
import { SANDBOX_BROKEN_TARGET, SANDBOX_CALLERS, startSandbox, type Sandbox } from '../sandbox/sandbox';
import { cli, type Run } from './support/cli';
import { findLeaks } from './support/leaks';

const alice = {
  AWS_ACCESS_KEY_ID: SANDBOX_CALLERS.allowed.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SANDBOX_CALLERS.allowed.credentials.secretAccessKey,
};
const mallory = {
  AWS_ACCESS_KEY_ID: SANDBOX_CALLERS.outsider.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SANDBOX_CALLERS.outsider.credentials.secretAccessKey,
};

describe('console-broker CLI against the sandbox', () => {
  let sandbox: Sandbox;
  const output: string[] = [];

  beforeAll(async () => {
    // These need only the IAM entry; the browser entry would synthesize the broker stack once more.
    sandbox = await startSandbox({ browserEntry: false });
  });

  afterAll(async () => {
    // What the CLI prints to its terminal, less the URLs it was asked to print, holds no secret.
    expect(findLeaks(output.join('\n'), sandbox.aws)).toEqual([]);
    await sandbox.stop();
  });

  // The sandbox's federation endpoint is on 127.0.0.1, as is the broker: the CLI accepts it only so.
  const localSignin = (): Record<string, string> => ({ [LOCAL_SIGNIN_ORIGIN_VARIABLE]: sandbox.aws.signinOrigins() });

  async function run(args: string[], env: Record<string, string>): Promise<Run> {
    const result = await cli(args, { ...localSignin(), ...env });
    output.push(result.stderr);
    return result;
  }

  it('login --print prints only the login URL, which holds a sign-in token for the right role', async () => {
    const { code, stdout, stderr } = await run(['login', 'prod-readonly', '--url', sandbox.url, '--print'], alice);

    expect(code).toBe(0);
    expect(stderr).toBe('');
    const url = new URL(stdout.trim());
    const token = url.searchParams.get('SigninToken') ?? '';
    expect(sandbox.aws.signinTokens.get(token)).toMatchObject({
      roleArn: 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly',
      sessionName: 'alice@example.com',
      sourceIdentity: 'alice@example.com',
    });
  });

  it('login --json prints the broker answer, for the service and region asked', async () => {
    const { code, stdout } = await run(['login', 'prod-readonly', '--url', sandbox.url, '--json', '--service', 'ec2', '--region', 'eu-central-1'], alice);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ target: 'prod-readonly', accountId: '222222222222', region: 'eu-central-1', destination: 'https://console.aws.amazon.com/ec2/home?region=eu-central-1' });
  });

  it('sends a reason with spaces so that the signature still holds (%20, as SigV4 encodes it, not +)', async () => {
    const { code, stdout, stderr } = await run(['login', 'prod-readonly', '--url', sandbox.url, '--json', '--reason', 'INC-4711: invoice question (a+b)'], alice);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ target: 'prod-readonly', reason: 'INC-4711: invoice question (a+b)' });
  });

  it('reads the broker URL from CONSOLE_BROKER_URL', async () => {
    const { code } = await run(['login', 'customer-acme', '--print'], { ...alice, CONSOLE_BROKER_URL: sandbox.url });

    expect(code).toBe(0);
  });

  it("finds the broker URL in the deployed stack's outputs, read with the caller's credentials", async () => {
    const { code, stdout } = await run(['login', 'prod-readonly', '--print'], {
      ...alice,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_CLOUDFORMATION: sandbox.aws.cloudFormationUrl,
    });

    expect(code).toBe(0);
    expect(new URL(stdout.trim()).searchParams.get('Action')).toBe('login');
    expect(sandbox.aws.callsTo('cloudformation').at(-1)?.params).toMatchObject({ Action: 'DescribeStacks', StackName: 'ConsoleBroker' });
  });

  it('targets lists what the caller may open, from the broker', async () => {
    const { code, stdout } = await run(['targets', '--url', sandbox.url], alice);

    expect(code).toBe(0);
    expect(stdout.trim().split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['prod-readonly', 'customer-acme']);
  });

  it("doctor prints a table, says what is wrong with the sandbox's broken target, and exits 1", async () => {
    const { code, stdout } = await run(['doctor', '--doctor-url', sandbox.doctorUrl], alice);

    expect(code).toBe(1);
    const rows = stdout.split('\n').filter((line) => /^[a-z]/.test(line) && / \d{12} /.test(line));
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ['prod-readonly', '222222222222', 'ok'],
      ['prod-billing', '222222222222', 'ok'],
      ['customer-acme', '333333333333', 'ok'],
      [SANDBOX_BROKEN_TARGET, '555555555555', 'TargetRefused'],
    ]);
    expect(rows[3]).toMatch(/read external ID \d+ ms, assume role failed \d+ ms, assume role without SourceIdentity failed \d+ ms$/);
    expect(stdout).toContain(`${SANDBOX_BROKEN_TARGET}: the target account refused: the role arn:aws:iam::555555555555:role/ConsoleBrokerReadOnly is missing`);
    expect(stdout.trim().split('\n').at(-1)).toBe('1 of 4 targets are broken.');
  });

  it('doctor --json prints the report for machines', async () => {
    const { code, stdout } = await run(['doctor', '--doctor-url', sandbox.doctorUrl, '--json'], alice);

    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, broken: 1, targets: [{ ok: true }, { ok: true }, { ok: true }, { target: SANDBOX_BROKEN_TARGET, problem: 'TargetRefused' }] });
  });

  it('doctor is refused to a caller who is not an operator', async () => {
    const { code, stdout, stderr } = await run(['doctor', '--doctor-url', sandbox.doctorUrl], mallory);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(`console-broker: Not allowed: ${SANDBOX_CALLERS.outsider.arn} is not among the operators who may run the doctor.`);
  });

  it("doctor finds its own URL as login finds the broker's: CONSOLE_BROKER_DOCTOR_URL, else the stack's DoctorUrl output", async () => {
    const fromVariable = await run(['doctor', '--json'], { ...alice, CONSOLE_BROKER_DOCTOR_URL: sandbox.doctorUrl, CONSOLE_BROKER_URL: sandbox.url });
    const fromStack = await run(['doctor', '--json'], { ...alice, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_CLOUDFORMATION: sandbox.aws.cloudFormationUrl });
    const none = await run(['doctor'], alice);

    for (const found of [fromVariable, fromStack]) {
      expect(found.code).toBe(1);
      expect(JSON.parse(found.stdout)).toMatchObject({ ok: false, broken: 1 });
    }
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No doctor URL: Pass --doctor-url, set CONSOLE_BROKER_DOCTOR_URL, or give credentials and a region/);
  });

  it('doctor refuses --url, the login URL, rather than ask the wrong function', async () => {
    const { code, stderr } = await run(['doctor', '--url', sandbox.url], alice);
    const elsewhere = await run(['targets', '--doctor-url', sandbox.doctorUrl], alice);

    expect(code).toBe(2);
    expect(stderr.trim()).toBe('console-broker: doctor runs at the doctor URL: give --doctor-url, not --url.');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/--doctor-url is for the doctor command only/);
  });

  it('fails with 403 for a caller not in the target list, naming the caller the broker saw and whom to ask', async () => {
    const { code, stdout, stderr } = await run(['login', 'prod-readonly', '--url', sandbox.url, '--print'], mallory);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(`console-broker: Not allowed: ${SANDBOX_CALLERS.outsider.arn} is not allowed to open target "prod-readonly".\nAsk the broker's operators to add you to the target.`);
  });

  it('fails with 403 from AWS for a bad signature', async () => {
    const { code, stderr } = await run(['login', 'prod-readonly', '--url', sandbox.url], { ...alice, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });

    expect(code).toBe(1);
    expect(stderr).toMatch(/^console-broker: AWS refused the request before it reached the broker \(403 Forbidden\)/);
  });

  it('fails with 404 naming the targets that exist for the caller, and the nearest of them', async () => {
    const { code, stderr } = await run(['login', 'prod-readonly-typo', '--url', sandbox.url], alice);

    expect(code).toBe(1);
    expect(stderr.trim()).toBe('console-broker: Unknown target: no target named "prod-readonly-typo"; targets you may open: prod-readonly, customer-acme.\nDid you mean prod-readonly?');
  });

  it('says clearly when the broker is down', async () => {
    // Prepare: a port that was free a moment ago
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    const { code, stderr } = await run(['login', 'prod-readonly', '--url', `http://127.0.0.1:${port}/`], alice);

    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`console-broker: Cannot reach the broker at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}.`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says clearly when no credentials exist, and how to get them', async () => {
    const { code, stderr } = await run(['login', 'prod-readonly', '--url', sandbox.url], {});

    expect(code).toBe(1);
    expect(stderr).toMatch(/^console-broker: No AWS credentials found .*aws sso login.*AWS_ACCESS_KEY_ID/s);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names all three ways to give the broker URL when none is found', async () => {
    const { code, stderr } = await run(['login', 'prod-readonly'], alice);
    const noStack = await run(['login', 'prod-readonly'], { ...mallory, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:1/' });

    expect(noStack.code).toBe(1);
    expect(noStack.stderr).toMatch(/the ConsoleBroker stack in eu-west-1 could not be read .*--url.*CONSOLE_BROKER_URL/);

    expect(code).toBe(1);
    expect(stderr).toMatch(/--url.*CONSOLE_BROKER_URL.*--broker-region or AWS_REGION/);
  });

  it('answers bad usage with exit code 2 and the usage text', async () => {
    const { code, stderr } = await run(['login'], alice);

    expect(code).toBe(2);
    expect(stderr).toMatch(/login takes exactly one target/);
  });

  it('times out with a clear message when the broker does not answer', async () => {
    // Prepare: a local server that accepts connections and never answers
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;

    // Act & Assess
    await expect(
      requestConsoleLogin({ target: 'prod-readonly', url, credentials: SANDBOX_CALLERS.allowed.credentials, timeoutMs: 300 }),
    ).rejects.toThrow(new BrokerError('timeout', `The broker at ${url} did not answer within 0.3 s.`));
    silent.closeAllConnections();
    silent.close();
  });

  it('gives a bot the same call as a typed function', async () => {
    const login = await requestConsoleLogin({ target: 'prod-readonly', url: sandbox.url, credentials: SANDBOX_CALLERS.allowed.credentials, service: 'iam', env: localSignin() });

    expect(login).toMatchObject({ target: 'prod-readonly', destination: 'https://console.aws.amazon.com/iam/home' });
  });
});
