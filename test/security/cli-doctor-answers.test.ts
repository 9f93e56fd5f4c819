import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DOCTOR_DEADLINE_MARGIN_MS, DOCTOR_TIMEOUT_SECONDS } from '../../lambda/doctor/timing';
import { BrokerError, checkTargets, DOCTOR_WAIT_MS } from '../../cli/client';
import { main } from '../../cli/main';

// Threat: `console-broker doctor` misreads whatever answers at the doctor URL (from --doctor-url,
// CONSOLE_BROKER_DOCTOR_URL or the stack):
// - an answer that is JSON but not a report (a wrong URL that answers 200, a proxy) must not crash the
//   CLI with a TypeError and a stack trace: one line on stderr and exit code 1, as the README promises;
// - the doctor's 404 (a doctor URL given with a path) is not an unknown target: the doctor has none in its path;
// - targets a run had no time to check are not known to be broken, and the summary must not say they are;
// - a run that used its deadline must be read, not cut off: Node's fetch gives up after 300 s without
//   response headers (undici's Client headersTimeout: https://undici.nodejs.org/#/docs/api/Client), and a
//   function URL sends them only when the function returns.

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIACLIDOCTORTEST000', AWS_SECRET_ACCESS_KEY: 'cli-doctor-test-secret', AWS_EC2_METADATA_DISABLED: 'true' };
const FETCH_HEADERS_TIMEOUT_MS = 300_000;
// Lambda limits a function's init to 10 s: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
const LAMBDA_INIT_LIMIT_MS = 10_000;

const steps: never[] = [];
const target = (name: string, ok: boolean, problem?: string): Record<string, unknown> => ({
  target: name,
  accountId: '222222222222',
  roleArn: `arn:aws:iam::222222222222:role/${name}`,
  ok,
  ...(problem ? { problem, advice: 'what to do' } : {}),
  steps,
});
const report = (...targets: Record<string, unknown>[]): Record<string, unknown> => ({
  checkedAt: new Date().toISOString(),
  ok: targets.every((t) => t.ok),
  broken: targets.filter((t) => !t.ok).length,
  targets,
});

describe('the CLI and what answers at the doctor URL', () => {
  let answer: { status: number; body: unknown; afterMs?: number } = { status: 200, body: {} };
  let server: Server;
  let doctorUrl = '';

  beforeAll(async () => {
    for (const [key, value] of Object.entries(KEYS)) vi.stubEnv(key, value);
    server = createServer((_req, res) => {
      const { status, body, afterMs = 0 } = answer;
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)), afterMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    doctorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function run(args: string[]): Promise<{ code: number | string; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await main(args, (line) => out.push(line), (line) => err.push(line), () => Promise.resolve());
      return { code, out, err };
    } catch (error) {
      return { code: `threw ${error instanceof Error ? error.name : String(error)}`, out, err };
    }
  }

  it.each([
    ['an object of another shape', { hello: 'not a report' }],
    ['a report whose targets are not targets', { ...report(), targets: [{ target: 'prod-readonly' }] }],
    ['an array', []],
  ])('says in one line, with exit code 1, that %s is not a doctor report', async (_what, body) => {
    answer = { status: 200, body };

    const { code, err } = await run(['doctor', '--doctor-url', doctorUrl]);

    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^console-broker: The doctor URL http:\/\/127\.0\.0\.1:\d+ answered with JSON that is not a doctor report/)]);
  });

  it("words the doctor's 404 as the doctor's, not as an unknown target", async () => {
    answer = { status: 404, body: { error: { status: 404, code: 'NotFound', message: 'the doctor answers only GET / on its function URL' } } };

    const { code, err } = await run(['doctor', '--doctor-url', doctorUrl]);

    expect(code).toBe(1);
    expect(err).toEqual(['console-broker: The doctor URL answered 404 (the doctor answers only GET / on its function URL): give the DoctorUrl output itself, with no path.']);
  });

  it('says a throttled doctor is busy, to be run again later', async () => {
    answer = { status: 429, body: { Message: 'Rate Exceeded.' } };

    const { code, err } = await run(['doctor', '--doctor-url', doctorUrl]);

    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^console-broker: The doctor is already running as often as it may at once \(429: its doctorReservedConcurrency, or the account's Lambda concurrency, is used up\)/)]);
  });

  it('tells targets it had no time to check from broken ones in its summary, and still exits 1', async () => {
    answer = { status: 200, body: report(target('prod-readonly', true), target('customer-acme', false, 'NotChecked'), target('customer-globex', false, 'NotChecked')) };
    const notCheckedOnly = await run(['doctor', '--doctor-url', doctorUrl]);
    answer = { status: 200, body: report(target('prod-readonly', false, 'TargetRefused'), target('customer-acme', false, 'NotChecked'), target('customer-globex', true)) };
    const both = await run(['doctor', '--doctor-url', doctorUrl]);

    expect(notCheckedOnly.code).toBe(1);
    expect(notCheckedOnly.out.at(-1)).toBe('0 of 3 targets are broken, 2 not checked (the doctor ran out of time; run it again).');
    expect(both.code).toBe(1);
    expect(both.out.at(-1)).toBe('1 of 3 targets are broken, 1 not checked (the doctor ran out of time; run it again).');
  });

  it("waits for a run that used its deadline, after a cold start, and gives up before Node's fetch would", () => {
    const latestAnswerMs = DOCTOR_TIMEOUT_SECONDS * 1000 - DOCTOR_DEADLINE_MARGIN_MS + LAMBDA_INIT_LIMIT_MS;

    expect(DOCTOR_WAIT_MS).toBeGreaterThan(latestAnswerMs);
    expect(DOCTOR_WAIT_MS).toBeLessThan(FETCH_HEADERS_TIMEOUT_MS);
  });

  it('reads a report that takes its time, and says in one line when none comes within its wait', async () => {
    answer = { status: 200, body: report(target('prod-readonly', true)), afterMs: 1500 };
    const slow = await run(['doctor', '--doctor-url', doctorUrl]);
    answer = { status: 200, body: report(), afterMs: 60_000 };
    const started = performance.now();
    const late = await checkTargets({ doctorUrl, timeoutMs: 1000 }).then(
      () => 'answered',
      (error: unknown) => (error instanceof BrokerError ? `${error.kind}: ${error.message}` : 'threw'),
    );
    const lateMs = performance.now() - started;
    server.closeAllConnections();

    expect(slow).toMatchObject({ code: 0, err: [] });
    expect(late).toMatch(/^timeout: The broker at http:\/\/127\.0\.0\.1:\d+ did not answer within 1 s\.$/);
    expect(lateMs).toBeLessThan(5000);
  });
});
