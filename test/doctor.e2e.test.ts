import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCTOR_RULE_NAME, type DoctorReport, type TargetHealth } from '../lambda/doctor/doctor';
import { DOCTOR_DEADLINE_MARGIN_MS, DOCTOR_TIMEOUT_SECONDS } from '../lambda/doctor/timing';
import { BROKER_PRINCIPAL_ARN, FakeAws } from './fakes/aws';
import { externalIdTrustPolicy } from './fakes/iam';
import { bundledHandlerPath, startBundle, type RunningBundle } from './support/bundle';
import { ADMIN_CALLER, BOT_CALLER } from './support/config';
import { functionUrlEvent, scheduledEvent } from './support/events';
import { findLeaks } from './support/leaks';
import { CDK_OUT } from './support/paths';

// The doctor's bundle in cdk.out carries the registry of config/console-broker.json: four targets, and
// the AWSReservedSSO_Admin_* sessions as operators.
const TARGETS = {
  'prod-readonly': 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly',
  'prod-billing': 'arn:aws:iam::222222222222:role/ConsoleBrokerBilling',
  'customer-acme': 'arn:aws:iam::333333333333:role/ConsoleBrokerReadOnly',
  'customer-globex': 'arn:aws:iam::555555555555:role/ConsoleBrokerReadOnly',
} as const;
type TargetName = keyof typeof TARGETS;
const externalIdOf = (name: TargetName): string => `doctorExternalId0123456789-${name}`;
const secretOf = (name: TargetName): string => `console-broker/external-id/${name}`;

describe("the doctor, in its own function's bundle from cdk.out", () => {
  const fake = new FakeAws();
  let bundle: RunningBundle;

  beforeAll(async () => {
    await fake.start();
    bundle = await startBundle(bundledHandlerPath({ functionId: 'DoctorFunction' }), fake.env(), DOCTOR_TIMEOUT_SECONDS * 1000);
  });

  afterAll(async () => {
    await bundle.stop();
    await fake.stop();
  });

  // Every target healthy: its secret holds the external ID its role's trust admits, and STS answers.
  beforeEach(() => {
    fake.stalledRoles.clear();
    for (const name of Object.keys(TARGETS) as TargetName[]) {
      fake.roles.set(TARGETS[name], { externalId: externalIdOf(name) });
      fake.secrets.set(secretOf(name), externalIdOf(name));
    }
  });

  async function doctor(callerArn = ADMIN_CALLER, timeoutMs?: number): Promise<{ status: number | undefined; body: string; report: DoctorReport }> {
    const response = await bundle.invoke(functionUrlEvent({ path: '/', callerArn, accept: 'application/json' }), { timeoutMs });
    const body = response.body ?? '';
    return { status: response.statusCode, body, report: JSON.parse(body) as DoctorReport };
  }

  const byName = (report: DoctorReport, name: TargetName): TargetHealth | undefined => report.targets.find((t) => t.target === name);

  it('reports every target ok, with the time of each step, and asks the federation endpoint for nothing', async () => {
    // Prepare
    const federationCalls = fake.callsTo('federation').length;
    const stsCalls = fake.callsTo('sts').length;

    // Act
    const { status, report } = await doctor();

    // Assess
    expect(status).toBe(200);
    expect(report).toMatchObject({ ok: true, broken: 0 });
    expect(report.targets.map((t) => t.target)).toEqual(Object.keys(TARGETS));
    for (const health of report.targets) {
      expect(health.ok).toBe(true);
      expect(health.steps.map((s) => s.step)).toEqual(['read external ID', 'assume role']);
      for (const step of health.steps) expect(step.ms).toBeGreaterThanOrEqual(0);
    }
    expect(fake.callsTo('federation').length).toBe(federationCalls);
    const assumes = fake.callsTo('sts').slice(stsCalls);
    expect(assumes).toHaveLength(4);
    for (const call of assumes) {
      expect(call.params).toMatchObject({ RoleSessionName: 'doctor=console-broker', SourceIdentity: 'doctor=console-broker' });
      // Role chaining: STS's default hour, no DurationSeconds asked from role credentials.
      expect(call.params).not.toHaveProperty('DurationSeconds');
    }
  });

  it('tells a refused SourceIdentity, a wrong external ID and an unreadable secret apart', async () => {
    // Prepare: prod-billing's trust admits the broker but not SetSourceIdentity
    const [assume] = externalIdTrustPolicy([externalIdOf('prod-billing')], BROKER_PRINCIPAL_ARN).Statement;
    fake.roles.set(TARGETS['prod-billing'], { trustPolicy: { Version: '2012-10-17', Statement: assume ? [assume] : [] } });
    // customer-acme's trust holds another external ID; customer-globex's secret is gone
    fake.roles.set(TARGETS['customer-acme'], { externalId: 'anExternalIdTheSecretDoesNotHold0123456789' });
    fake.secrets.delete(secretOf('customer-globex'));

    // Act
    const { status, body, report } = await doctor();

    // Assess
    expect(status).toBe(200);
    expect(report).toMatchObject({ ok: false, broken: 3 });
    expect(byName(report, 'prod-readonly')).toMatchObject({ ok: true });
    expect(byName(report, 'prod-billing')).toMatchObject({ ok: false, problem: 'SourceIdentityRefused' });
    expect(byName(report, 'prod-billing')?.advice).toMatch(/not set a SourceIdentity \(sts:SetSourceIdentity\)/);
    expect(byName(report, 'prod-billing')?.steps.map((s) => [s.step, s.ok])).toEqual([
      ['read external ID', true],
      ['assume role', false],
      ['assume role without SourceIdentity', true],
    ]);
    expect(byName(report, 'customer-acme')).toMatchObject({ ok: false, problem: 'TargetRefused' });
    expect(byName(report, 'customer-acme')?.advice).toMatch(/^the target account refused: the role arn:aws:iam::333333333333:role\/ConsoleBrokerReadOnly is missing, or its trust policy does not admit the broker with this external ID/);
    expect(byName(report, 'customer-globex')).toMatchObject({ ok: false, problem: 'ExternalIdUnreadable' });
    expect(byName(report, 'customer-globex')?.advice).toMatch(/console-broker\/external-id\/customer-globex could not be read \(ResourceNotFoundException\)/);
    expect(byName(report, 'customer-globex')?.steps.map((s) => s.step)).toEqual(['read external ID']);
    expect(findLeaks(body, fake)).toEqual([]);
  });

  it('reports a missing role and a trust that admits someone else as the target refusing', async () => {
    // Prepare
    fake.roles.delete(TARGETS['customer-globex']);
    fake.roles.set(TARGETS['customer-acme'], { externalId: externalIdOf('customer-acme'), trustedPrincipalArn: 'arn:aws:iam::999999999999:role/someone-else' });

    // Act
    const { report } = await doctor();

    // Assess
    expect(report).toMatchObject({ ok: false, broken: 2 });
    expect(byName(report, 'customer-globex')).toMatchObject({ ok: false, problem: 'TargetRefused' });
    expect(byName(report, 'customer-acme')).toMatchObject({ ok: false, problem: 'TargetRefused' });
  });

  it('refuses a caller that is not an operator, before any AWS call', async () => {
    // Prepare
    const before = fake.calls.length;

    // Act
    const response = await bundle.invoke(functionUrlEvent({ path: '/', callerArn: BOT_CALLER, accept: 'application/json' }));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: { code: 'Forbidden', message: `${BOT_CALLER} is not among the operators who may run the doctor` } });
    expect(fake.calls.length).toBe(before);
  });

  it("runs on the schedule's event and writes the DoctorFailed metric in embedded metric format", async () => {
    // Prepare
    fake.roles.delete(TARGETS['customer-globex']);

    // Act
    const response = await bundle.invoke(scheduledEvent());

    // Assess: the answer holds counts only; the log line holds the metric and what to do
    expect(JSON.parse(response.body ?? '')).toEqual({ ok: false, checked: 4, broken: 1 });
    const line = doctorLines().at(-1);
    expect(line).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ConsoleBroker', Dimensions: [[]], Metrics: [{ Name: 'DoctorFailed', Unit: 'Count' }] }] },
      DoctorFailed: 1,
      ranBy: 'schedule',
      checked: 4,
      broken: [{ target: 'customer-globex', problem: 'TargetRefused' }],
    });
    expect(findLeaks(bundle.output(), fake)).toEqual([]);
  });

  const doctorLines = (): Record<string, unknown>[] =>
    bundle.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'doctor');

  it('reports targets it could not finish by its deadline as NotChecked, answers in time, and writes its metric line', async () => {
    // Prepare: three targets' STS calls never come back; a function with 6 s left leaves the run 1 s
    const stalled: TargetName[] = ['prod-billing', 'customer-acme', 'customer-globex'];
    for (const name of stalled) fake.stalledRoles.add(TARGETS[name]);
    const timeoutMs = DOCTOR_DEADLINE_MARGIN_MS + 1000;
    const linesBefore = doctorLines().length;
    const started = performance.now();

    // Act
    const { status, report } = await doctor(ADMIN_CALLER, timeoutMs);

    // Assess: the answer came before the function's own end, with every stalled target counted broken
    expect(performance.now() - started).toBeLessThan(timeoutMs - DOCTOR_DEADLINE_MARGIN_MS / 2);
    expect(status).toBe(200);
    expect(report).toMatchObject({ ok: false, broken: 3 });
    expect(byName(report, 'prod-readonly')).toMatchObject({ ok: true });
    for (const name of stalled) {
      expect(byName(report, name)).toMatchObject({ ok: false, problem: 'NotChecked' });
      expect(byName(report, name)?.steps.map((s) => [s.step, s.ok])).toEqual([['read external ID', true]]);
    }
    expect(byName(report, 'customer-acme')?.advice).toMatch(/ran out of time/);
    const lines = doctorLines().slice(linesBefore);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ DoctorFailed: 3, checked: 4, ranBy: ADMIN_CALLER });
  });

  it('writes its metric line on the schedule too when targets stall past the deadline', async () => {
    // Prepare
    fake.stalledRoles.add(TARGETS['customer-acme']);
    const linesBefore = doctorLines().length;

    // Act
    const response = await bundle.invoke(scheduledEvent(), { timeoutMs: DOCTOR_DEADLINE_MARGIN_MS + 1000 });

    // Assess
    expect(JSON.parse(response.body ?? '')).toEqual({ ok: false, checked: 4, broken: 1 });
    expect(doctorLines().slice(linesBefore)).toEqual([
      expect.objectContaining({ DoctorFailed: 1, ranBy: 'schedule', broken: [expect.objectContaining({ target: 'customer-acme', problem: 'NotChecked' })] }),
    ]);
  });

  it('gives each call to AWS one short try: a call that does not answer is UpstreamTimeout within seconds', async () => {
    // Prepare
    fake.stalledRoles.add(TARGETS['customer-acme']);
    const assumesBefore = fake.callsTo('sts').filter((c) => c.params.RoleArn === TARGETS['customer-acme']).length;
    const started = performance.now();

    // Act
    const { report } = await doctor();

    // Assess
    expect(performance.now() - started).toBeLessThan(5000);
    expect(byName(report, 'customer-acme')).toMatchObject({ ok: false, problem: 'UpstreamTimeout' });
    expect(byName(report, 'customer-acme')?.advice).toMatch(/^AWS STS did not answer in time \(the doctor allows 2 s and tries once\)/);
    expect(fake.callsTo('sts').filter((c) => c.params.RoleArn === TARGETS['customer-acme']).length).toBe(assumesBefore + 1);
  });

  it('answers only GET / on its URL', async () => {
    const before = fake.calls.length;

    const response = await bundle.invoke(functionUrlEvent({ path: '/doctor', callerArn: ADMIN_CALLER, accept: 'application/json' }));

    expect(response.statusCode).toBe(404);
    expect(fake.calls.length).toBe(before);
  });

  it("refuses a scheduled event from any other rule as it refuses any event that is not a function URL's", async () => {
    const before = fake.calls.length;

    const response = await bundle.invoke(scheduledEvent('arn:aws:events:eu-west-1:111111111111:rule/another-rule'));

    expect(response.statusCode).toBe(400);
    expect(fake.calls.length).toBe(before);
  });
});

describe("the doctor's function, schedule and URL in the broker template", () => {
  it('is a rule of the name the Lambda accepts, invoking the doctor function hourly', () => {
    // Prepare
    const template = JSON.parse(readFileSync(path.join(CDK_OUT, 'ConsoleBroker.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');

    // Assess
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({ Name: DOCTOR_RULE_NAME, ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' });
    expect(JSON.stringify(rules[0]?.Properties.Targets)).toMatch(/DoctorFunction/);
    expect(JSON.stringify(rules[0]?.Properties.Targets)).not.toMatch(/LoginFunction/);
  });

  it('runs as the login role for minutes, with an AWS_IAM function URL given as DoctorUrl', () => {
    const template = JSON.parse(readFileSync(path.join(CDK_OUT, 'ConsoleBroker.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    };
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const doctorFn = functions.find(([id]) => id.startsWith('DoctorFunction'));
    const loginFn = functions.find(([id]) => id.startsWith('LoginFunction'));

    expect(doctorFn?.[1].Properties).toMatchObject({ Timeout: DOCTOR_TIMEOUT_SECONDS, Role: loginFn?.[1].Properties.Role });
    expect(loginFn?.[1].Properties).toMatchObject({ Timeout: 15 });
    const urls = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Url' && JSON.stringify(r.Properties.TargetFunctionArn).includes('DoctorFunction'));
    expect(urls).toHaveLength(1);
    expect(urls[0]?.Properties).toMatchObject({ AuthType: 'AWS_IAM' });
    expect(JSON.stringify(template.Outputs.DoctorUrl?.Value)).toMatch(/DoctorFunctionFunctionUrl/);
  });
});
