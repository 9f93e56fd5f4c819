import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { badGateway, gatewayTimeout } from '../../lambda/core/errors';
import { runDoctor, type DoctorDependencies, type DoctorReport } from '../../lambda/doctor/doctor';
import { FakeAws } from '../fakes/aws';
import { ADMIN_CALLER, testRegistry } from '../support/config';
import { functionUrlEvent } from '../support/events';
import { captureStdout, loadDoctor } from '../support/handler';

// Threat: an operator misled by the report during an AWS brownout. When Secrets Manager does not answer
// within the doctor's 2 s, the read fails with UpstreamTimeout; filed under ExternalIdUnreadable, with the
// advice to restore the secret or the login role's policy, it sends the operator to "repair" healthy
// secrets or widen the login role instead of waiting for AWS. And advice that only repeats STS's error
// name (AssumeRoleFailed) leaves them to guess what to do.

const neverAnswered = (): Promise<never> => Promise.reject(gatewayTimeout('Secrets Manager did not answer in time'));

describe("the doctor's report when AWS is slow or failing", () => {
  const fake = new FakeAws();

  beforeAll(async () => {
    captureStdout();
    await fake.start();
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await fake.stop();
  });

  it('names a read that ran out of time UpstreamTimeout, not a missing or unreadable secret', async () => {
    const deps: DoctorDependencies = { readExternalId: neverAnswered, assumeRole: () => Promise.reject(new Error('not reached')), now: () => new Date() };

    const report = await runDoctor(deps, testRegistry().targets, 10_000);

    expect(report.targets.map((t) => t.problem)).toEqual(report.targets.map(() => 'UpstreamTimeout'));
    for (const target of report.targets) {
      expect(target.advice).not.toMatch(/check that the secret exists/);
      expect(target.advice).toMatch(/AWS Health Dashboard for Secrets Manager/);
    }
  });

  it('says so through the real Secrets Manager client, whose read the doctor gives 2 s', async () => {
    // Prepare: Secrets Manager answers, but only after the doctor's call has run out of time
    fake.secretsDelayMs = 2500;
    const doctor = await loadDoctor(fake);

    // Act
    const answer = await doctor(functionUrlEvent({ path: '/', callerArn: ADMIN_CALLER, accept: 'application/json' }));
    fake.secretsDelayMs = 0;

    // Assess
    const report = JSON.parse(answer.body ?? '{}') as DoctorReport;
    expect(report.targets.map((t) => t.problem)).toEqual(report.targets.map(() => 'UpstreamTimeout'));
    expect(report.targets[0]?.advice).toMatch(/^Secrets Manager did not answer in time/);
  });

  it('points NotChecked targets at problems the same report holds', async () => {
    // Secrets Manager hangs: the first targets fail on the read, the run's deadline cuts off the rest.
    let reads = 0;
    const deps: DoctorDependencies = {
      readExternalId: () => (++reads <= 2 ? neverAnswered() : new Promise<never>(() => undefined)),
      assumeRole: () => Promise.reject(new Error('not reached')),
      now: () => new Date(),
    };

    const report = await runDoctor(deps, testRegistry().targets, 200);
    const problems = new Set(report.targets.map((t) => t.problem));

    expect(problems).toEqual(new Set(['UpstreamTimeout', 'NotChecked']));
    expect(report.targets.find((t) => t.problem === 'NotChecked')?.advice).toMatch(/UpstreamTimeout/);
  });

  it('says what to do when STS fails otherwise than by refusing', async () => {
    const deps: DoctorDependencies = {
      readExternalId: () => Promise.resolve('clarityExternalId0123456789abcdefghijklmnop'),
      assumeRole: (input) => Promise.reject(badGateway('AssumeRoleFailed', `AWS STS could not assume ${input.roleArn} (Throttling)`)),
      now: () => new Date(),
    };

    const report = await runDoctor(deps, testRegistry().targets.slice(0, 1), 10_000);

    expect(report.targets[0]).toMatchObject({ problem: 'AssumeRoleFailed' });
    expect(report.targets[0]?.advice).toMatch(/\(Throttling\); Throttling: the broker account's STS request rate, which logins share, was exceeded, so run the doctor again/);
  });
});
