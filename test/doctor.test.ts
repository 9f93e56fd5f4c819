import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DoctorReport } from '../lambda/doctor/doctor';
import { DOCTOR_DEADLINE_MARGIN_MS } from '../lambda/doctor/timing';
import { registryFor } from '../lib/broker-stack';
import { FakeAws } from './fakes/aws';
import { ADMIN_CALLER } from './support/config';
import { functionUrlEvent } from './support/events';
import { captureStdout, loadDoctor, loadHandler, OPERATOR_PATTERN, type Invoke } from './support/handler';
import { scaleConfig } from './support/scale';

const READONLY_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';
const READONLY_SECRET = 'console-broker/external-id/prod-readonly';
const READONLY_ID = 'doctorCacheExternalId0123456789abcdefghij';

const asOperator = (): ReturnType<typeof functionUrlEvent> => functionUrlEvent({ path: '/', callerArn: ADMIN_CALLER, accept: 'application/json' });

describe('the doctor beside a warm login, in one process', () => {
  const fake = new FakeAws();
  let login: Invoke;
  let doctor: Invoke;

  beforeAll(async () => {
    captureStdout();
    await fake.start();
    fake.roles.set(READONLY_ROLE, { externalId: READONLY_ID });
    fake.secrets.set(READONLY_SECRET, READONLY_ID);
    login = await loadHandler(fake);
    doctor = await loadDoctor(fake);
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await fake.stop();
  });

  it("reads each secret itself and leaves the login's cache of external IDs alone", async () => {
    // Prepare: a login caches prod-readonly's external ID; then its secret cannot be read
    expect((await login(functionUrlEvent({ accept: 'application/json' }))).statusCode).toBe(200);
    fake.secrets.delete(READONLY_SECRET);

    // Act
    const report = JSON.parse((await doctor(asOperator())).body ?? '') as DoctorReport;
    const reads = fake.callsTo('secretsmanager').length;
    const after = await login(functionUrlEvent({ accept: 'application/json' }));

    // Assess: the doctor saw the secret gone; the login still opens from its cache, without a read
    expect(report.targets.find((t) => t.target === 'prod-readonly')).toMatchObject({ ok: false, problem: 'ExternalIdUnreadable' });
    expect(after.statusCode).toBe(200);
    expect(fake.callsTo('secretsmanager').length).toBe(reads);
  });
});

describe('the doctor at fleet scale', () => {
  const fake = new FakeAws();
  const registry = { ...registryFor(scaleConfig(300, 150)), operators: [OPERATOR_PATTERN] };

  beforeAll(async () => {
    captureStdout();
    await fake.start();
    for (const target of registry.targets) {
      const externalId = `fleetExternalId0123456789abcdef-${target.name}`;
      fake.roles.set(target.roleArn, { externalId });
      fake.secrets.set(target.externalIdSecretId, externalId);
    }
  });

  afterEach(() => {
    fake.stalledRoles.clear();
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await fake.stop();
  });

  it('checks 300 healthy targets well inside its deadline', async () => {
    const doctor = await loadDoctor(fake, { registry });
    const started = performance.now();

    const report = JSON.parse((await doctor(asOperator())).body ?? '') as DoctorReport;

    expect(report).toMatchObject({ ok: true, broken: 0 });
    expect(report.targets).toHaveLength(300);
    // The function's timeout is five minutes; on this shared machine the run takes seconds.
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('still answers before the deadline when every target stalls, with each one NotChecked or UpstreamTimeout', async () => {
    // Prepare: no STS call comes back, and the function has 15 s left before its margin
    for (const target of registry.targets) fake.stalledRoles.add(target.roleArn);
    const doctor = await loadDoctor(fake, { registry, timeoutMs: DOCTOR_DEADLINE_MARGIN_MS + 15_000 });
    const started = performance.now();

    // Act
    const report = JSON.parse((await doctor(asOperator())).body ?? '') as DoctorReport;

    // Assess: it kept its margin, and counts all 300 broken
    expect(performance.now() - started).toBeLessThan(17_000);
    expect(report).toMatchObject({ ok: false, broken: 300 });
    const problems = new Set(report.targets.map((t) => t.problem));
    expect([...problems].sort()).toEqual(['NotChecked', 'UpstreamTimeout']);
  });
});
