import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from './fakes/aws';
import { extractMetrics, findMetric } from './fakes/emf';
import { ADMIN_CALLER, BOT_CALLER, OUTSIDER_CALLER } from './support/config';
import { functionUrlEvent } from './support/events';
import { captureStdout, loadHandler, type Invoke } from './support/handler';
import { findLeaks } from './support/leaks';

const READONLY_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';
const ACME_ROLE = 'arn:aws:iam::333333333333:role/ConsoleBrokerReadOnly';
const READONLY_ID = 'readonlyExternalId0123456789abcdefghijklmnop';
const ACME_ID = 'acme.External=Id@with,all+allowed:chars/-_0123';

type Json = Record<string, unknown>;

function json(body: string | undefined): Json {
  return JSON.parse(body ?? '') as Json;
}

describe('login handler', () => {
  const fake = new FakeAws();
  let invoke: Invoke;
  let stdout: ReturnType<typeof captureStdout>;
  const allOutput: string[] = [];

  beforeAll(async () => {
    await fake.start();
  });

  beforeEach(async () => {
    fake.roles.clear();
    fake.secrets.clear();
    fake.calls.length = 0;
    fake.federationMode = 'ok';
    fake.stsDelayMs = 0;
    fake.roles.set(READONLY_ROLE, { externalId: READONLY_ID });
    fake.roles.set(ACME_ROLE, { externalId: ACME_ID });
    fake.secrets.set('console-broker/external-id/prod-readonly', READONLY_ID);
    fake.secrets.set('console-broker/external-id/customer-acme', `${ACME_ID}\n`);
    stdout = captureStdout();
    invoke = await loadHandler(fake, { OUTBOUND_TIMEOUT_MS: '400' });
  });

  afterEach(() => {
    allOutput.push(stdout.text());
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  afterAll(async () => {
    // Every log line this file produced, scanned for every secret the fakes handed out.
    expect(findLeaks(allOutput.join(''), fake)).toEqual([]);
    await fake.stop();
  });

  describe('success', () => {
    it('answers a bot with JSON that says what it opens and until when', async () => {
      // Act
      const before = Date.now();
      const response = await invoke(functionUrlEvent({ callerArn: BOT_CALLER, accept: 'application/json' }));

      // Assess
      expect(response.statusCode).toBe(200);
      const body = json(response.body);
      expect(body).toMatchObject({
        target: 'prod-readonly',
        accountId: '222222222222',
        roleArn: READONLY_ROLE,
        region: 'eu-west-1',
        destination: 'https://console.aws.amazon.com/console/home?region=eu-west-1',
        sessionName: 'chatops-bot+slack-bot+111111111111',
      });
      const expiresAt = Date.parse(String(body.expiresAt));
      expect(expiresAt - before).toBeGreaterThanOrEqual(15 * 60 * 1000 - 1000);
      expect(expiresAt - before).toBeLessThanOrEqual(15 * 60 * 1000 + 5000);
      expect(Date.parse(String(body.sessionExpiresAt))).toBeGreaterThan(expiresAt);
      const login = new URL(String(body.loginUrl));
      expect(login.searchParams.get('Action')).toBe('login');
      expect(fake.signinTokens.get(login.searchParams.get('SigninToken') ?? '')?.roleArn).toBe(READONLY_ROLE);
      expect(response.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-type': 'application/json' });
    });

    it("names the partition's console as the Issuer without a browser entry: this AWS_IAM URL would show a browser only Forbidden", async () => {
      const response = await invoke(functionUrlEvent({ callerArn: BOT_CALLER }));

      expect(new URL(String(json(response.body).loginUrl)).searchParams.get('Issuer')).toBe('https://console.aws.amazon.com/');
    });

    it('names the browser entry as the Issuer when the stack has one: where the console sends people whose session ended', async () => {
      const webEntry = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/';
      invoke = await loadHandler(fake, { OUTBOUND_TIMEOUT_MS: '400', CONSOLE_ISSUER_URL: webEntry });

      const response = await invoke(functionUrlEvent({ callerArn: BOT_CALLER }));

      expect(new URL(String(json(response.body).loginUrl)).searchParams.get('Issuer')).toBe(webEntry);
    });

    it('defaults to JSON when the caller sends no Accept header', async () => {
      const response = await invoke(functionUrlEvent({ callerArn: BOT_CALLER }));

      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe('application/json');
    });

    it('redirects a browser with 302 to the login URL', async () => {
      const response = await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER, accept: 'text/html' }));

      expect(response.statusCode).toBe(302);
      expect(new URL(String(response.headers?.location)).searchParams.get('Action')).toBe('login');
      expect(response.body).toBe('');
    });

    it("passes STS the external ID, an escaped session name and source identity, and no duration: a chained session takes STS's default hour", async () => {
      const caller = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/ann marie+ops@example.com';

      await invoke(functionUrlEvent({ callerArn: caller, path: '/customer-acme' }));

      const [assume] = fake.callsTo('sts');
      expect(assume?.params).toMatchObject({
        Action: 'AssumeRole',
        RoleArn: ACME_ROLE,
        ExternalId: ACME_ID,
        RoleSessionName: 'ann,20marie,2Bops@example.com',
        SourceIdentity: 'ann,20marie,2Bops@example.com',
      });
      expect(assume?.params).not.toHaveProperty('DurationSeconds');
    });

    it('never sends SessionDuration to the federation endpoint', async () => {
      await invoke(functionUrlEvent());

      const [federation] = fake.callsTo('federation');
      expect(federation?.params.Action).toBe('getSigninToken');
      expect(federation?.params).not.toHaveProperty('SessionDuration');
    });

    it('opens a service shortcut in the requested region, and a global service with no region', async () => {
      const regional = json((await invoke(functionUrlEvent({ query: 'service=s3&region=ap-southeast-2' }))).body);
      const global = json((await invoke(functionUrlEvent({ query: 'service=iam' }))).body);

      expect(regional.destination).toBe('https://console.aws.amazon.com/s3/home?region=ap-southeast-2');
      expect(global.destination).toBe('https://console.aws.amazon.com/iam/home');
    });

    it('opens a console path or URL as the destination, adding the region when asked', async () => {
      const path = json((await invoke(functionUrlEvent({ query: `destination=${encodeURIComponent('/ec2/home#Instances:')}&region=us-east-2` }))).body);
      const url = json((await invoke(functionUrlEvent({ query: `destination=${encodeURIComponent('https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions')}` }))).body);

      expect(path.destination).toBe('https://console.aws.amazon.com/ec2/home?region=us-east-2#Instances:');
      expect(url.destination).toBe('https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions');
    });

    it('logs the browser out of its console session first when asked', async () => {
      const response = await invoke(functionUrlEvent({ accept: 'text/html', query: 'logout=1' }));

      const location = new URL(String(response.headers?.location));
      // On us-east-1's sign-in host, whose logout follows redirect_uri, as does the login inside it.
      const regional = new URL(fake.regionalFederationUrl).origin;
      expect(location.origin + location.pathname).toBe(`${regional}/oauth`);
      expect(location.searchParams.get('Action')).toBe('logout');
      const login = new URL(location.searchParams.get('redirect_uri') ?? '');
      expect(login.origin).toBe(regional);
      expect(login.searchParams.get('Action')).toBe('login');
    });

    it('makes exactly two outbound calls on a warm request: the secret comes from the cache', async () => {
      await invoke(functionUrlEvent());
      fake.calls.length = 0;

      await invoke(functionUrlEvent());

      expect(fake.calls.map((c) => c.service)).toEqual(['sts', 'federation']);
    });

    it('heals a changed external ID: a refused cached ID is re-read once and the login succeeds', async () => {
      // Prepare: warm the cache, then the external ID changes in both places
      await invoke(functionUrlEvent());
      fake.roles.set(READONLY_ROLE, { externalId: 'theNewExternalIdAfterRedeploy0123456789' });
      fake.secrets.set('console-broker/external-id/prod-readonly', 'theNewExternalIdAfterRedeploy0123456789');
      fake.calls.length = 0;

      // Act
      const response = await invoke(functionUrlEvent());

      // Assess
      expect(response.statusCode).toBe(200);
      expect(fake.calls.map((c) => c.service)).toEqual(['sts', 'secretsmanager', 'sts', 'federation']);
    });
  });

  describe('refusals', () => {
    it.each([
      ['an unknown parameter', 'foo=bar', /unknown parameter "foo"/],
      ['a repeated parameter', 'region=eu-west-1&region=us-east-1', /more than once/],
      ['a region of no partition', 'region=mars-north-1', /not a region of the aws partition/],
      ['a region of another partition', 'region=cn-north-1', /not a region of the aws partition/],
      ['both service and destination', 'service=s3&destination=%2Fec2%2Fhome', /not both/],
      ['an unknown service', 'service=warp-drive', /service "warp-drive" is not known/],
      ['a bad logout flag', 'logout=maybe', /logout must be 1 or 0/],
    ])('answers 400 for %s', async (_name, query, message) => {
      const response = await invoke(functionUrlEvent({ query }));

      expect(response.statusCode).toBe(400);
      expect(json(response.body)).toMatchObject({ error: { status: 400, code: 'BadRequest', message: expect.stringMatching(message) as unknown } });
      expect(fake.calls).toEqual([]);
    });

    it.each([
      'https://evil.example.com/',
      '//evil.example.com/path',
      '/\\evil.example.com',
      'https://console.aws.amazon.com.evil.example.com/',
      'https://evil.example.com\\@console.aws.amazon.com/',
      'https://console.aws.amazon.com@evil.example.com/',
      'https://user:pass@console.aws.amazon.com/',
      'http://console.aws.amazon.com/',
      'https://console.aws.amazon.com:8443/',
      'javascript:alert(1)',
      'https://evil.console.aws.amazon.com/',
      '/%0d%0aLocation:%20https://evil.example.com',
      ' https://evil.example.com',
      'https://console.amazonaws.cn/',
    ])('refuses the destination %s with 400: no open redirect', async (destination) => {
      const response = await invoke(functionUrlEvent({ query: `destination=${encodeURIComponent(destination)}` }));

      expect(response.statusCode).toBe(400);
      expect(fake.calls).toEqual([]);
    });

    it('answers 404 for an unknown target and names only the targets the caller may open', async () => {
      const response = await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER, path: '/nope' }));

      expect(response.statusCode).toBe(404);
      expect(json(response.body)).toMatchObject({ error: { message: 'no target named "nope"; targets you may open: prod-readonly, customer-acme' } });
    });

    it('answers 403 to a caller not allowed for the target, naming the caller', async () => {
      const response = await invoke(functionUrlEvent({ callerArn: OUTSIDER_CALLER, accept: 'application/json' }));

      expect(response.statusCode).toBe(403);
      expect(json(response.body)).toMatchObject({ error: { code: 'Forbidden', message: `${OUTSIDER_CALLER} is not allowed to open target "prod-readonly"` } });
      expect(fake.calls).toEqual([]);
    });

    it('refuses everyone a target that lists no allowed callers', async () => {
      for (const callerArn of [ADMIN_CALLER, BOT_CALLER, 'arn:aws:iam::111111111111:root']) {
        expect((await invoke(functionUrlEvent({ callerArn, path: '/locked' }))).statusCode).toBe(403);
      }
    });

    it('answers 403 when the request carries no IAM caller', async () => {
      const response = await invoke(functionUrlEvent({ callerArn: null }));

      expect(response.statusCode).toBe(403);
    });

    it('answers 405 to anything but GET, with Allow', async () => {
      const response = await invoke(functionUrlEvent({ method: 'POST' }));

      expect(response.statusCode).toBe(405);
      expect(response.headers?.allow).toBe('GET');
    });

    it('answers a browser with a small HTML page that escapes what the caller sent', async () => {
      const response = await invoke(functionUrlEvent({ accept: 'text/html', path: `/${encodeURIComponent('<script>alert(1)</script>')}` }));

      expect(response.statusCode).toBe(404);
      expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers?.['content-security-policy']).toMatch(/default-src 'none'/);
      expect(response.body).not.toContain('<script>');
      expect(response.body).toContain('&#60;script&#62;');
      expect(response.headers?.['cache-control']).toBe('no-store');
    });
  });

  describe('upstream failures', () => {
    it('answers 502 when the external ID secret does not exist', async () => {
      fake.secrets.delete('console-broker/external-id/prod-readonly');

      const response = await invoke(functionUrlEvent());

      expect(response.statusCode).toBe(502);
      expect(json(response.body)).toMatchObject({ error: { code: 'ExternalIdUnavailable' } });
    });

    it('answers 502 when the secret does not hold a valid external ID', async () => {
      fake.secrets.set('console-broker/external-id/prod-readonly', 'not valid because of spaces');

      const response = await invoke(functionUrlEvent());

      expect(response.statusCode).toBe(502);
      expect(JSON.stringify(json(response.body))).not.toContain('not valid because of spaces');
    });

    it('answers 502 with AssumeRoleDenied when STS refuses a freshly read external ID, without a second read', async () => {
      fake.roles.set(READONLY_ROLE, { externalId: 'somethingTheSecretDoesNotHold0123456789' });

      const response = await invoke(functionUrlEvent());

      expect(response.statusCode).toBe(502);
      expect(json(response.body)).toMatchObject({ error: { code: 'AssumeRoleDenied' } });
      expect(fake.callsTo('secretsmanager')).toHaveLength(1);
      expect(response.body).not.toContain(READONLY_ID);
    });

    it.each([
      ['html', 'FederationBadAnswer', /HTML page/],
      ['error-500', 'FederationRefused', /answered 500/],
      ['no-token', 'FederationBadAnswer', /without a SigninToken/],
    ] as const)('answers 502 when the federation endpoint answers %s', async (mode, code, message) => {
      fake.federationMode = mode;

      const response = await invoke(functionUrlEvent());

      expect(response.statusCode).toBe(502);
      expect(json(response.body)).toMatchObject({ error: { code, message: expect.stringMatching(message) as unknown } });
    });

    it('answers 504 when the federation endpoint does not answer in time', async () => {
      fake.federationMode = 'hang';

      const response = await invoke(functionUrlEvent());

      expect(response.statusCode).toBe(504);
      expect(json(response.body)).toMatchObject({ error: { code: 'UpstreamTimeout', message: /federation endpoint/ } });
    });

    it('answers 504 when Secrets Manager does not answer in time', async () => {
    fake.secretsDelayMs = 1500;

    const response = await invoke(functionUrlEvent());

    fake.secretsDelayMs = 0;
    expect(response.statusCode).toBe(504);
    expect(json(response.body)).toMatchObject({ error: { code: 'UpstreamTimeout', message: /Secrets Manager/ } });
  });

  it('answers 504 when STS does not answer in time', async () => {
      fake.stsDelayMs = 1500;

      const response = await invoke(functionUrlEvent());

      expect(response.statusCode).toBe(504);
      expect(json(response.body)).toMatchObject({ error: { code: 'UpstreamTimeout', message: /STS/ } });
    });
  });

  describe('logging', () => {
    it('writes one JSON line per request with who, what, outcome, request ID and duration', async () => {
      await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER, query: 'service=ec2&region=eu-north-1' }));
      await invoke(functionUrlEvent({ callerArn: OUTSIDER_CALLER }));

      const lines = stdout.lines().map((line) => JSON.parse(line) as Json);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        level: 'info',
        caller: ADMIN_CALLER,
        target: 'prod-readonly',
        region: 'eu-north-1',
        destination: 'https://console.aws.amazon.com/ec2/home?region=eu-north-1',
        sessionName: 'alice@example.com',
        status: 200,
        outcome: 'login',
        requestId: expect.any(String) as unknown,
        DurationMs: expect.any(Number) as unknown,
      });
      expect(lines[1]).toMatchObject({ caller: OUTSIDER_CALLER, status: 403, outcome: 'Forbidden' });
    });
  });

  describe('metrics', () => {
    it('counts a login per entry and target, times it and its AWS calls, and marks the cold start once', async () => {
      // Act
      await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER }));
      await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER }));

      // Assess
      const [first = [], second = []] = stdout.lines().map(extractMetrics);
      expect(first.every((m) => m.namespace === 'ConsoleBroker')).toBe(true);
      expect(findMetric(first, 'Login', { entry: 'iam', target: 'prod-readonly' })).toMatchObject({ unit: 'Count', values: [1] });
      expect(findMetric(first, 'ColdStart', {})?.values).toEqual([1]);
      expect(findMetric(second, 'ColdStart', {})?.values).toEqual([0]);
      expect(findMetric(first, 'ServerError', { entry: 'iam' })?.values).toEqual([0]);
      const duration = findMetric(first, 'DurationMs', { entry: 'iam' });
      const awsCalls = findMetric(first, 'AwsCallMs', { entry: 'iam' });
      expect(duration?.unit).toBe('Milliseconds');
      expect(awsCalls?.values[0]).toBeGreaterThan(0);
      expect(awsCalls?.values[0]).toBeLessThanOrEqual(duration?.values[0] ?? 0);
      expect(first.some((m) => m.name === 'Refused')).toBe(false);
    });

    it('counts a refusal by its code alone and per entry, with no login and no AWS time when no call was made', async () => {
      await invoke(functionUrlEvent({ callerArn: OUTSIDER_CALLER }));

      const [line = []] = stdout.lines().map(extractMetrics);
      expect(findMetric(line, 'Refused', { outcome: 'Forbidden' })?.values).toEqual([1]);
      expect(findMetric(line, 'Refused', { entry: 'iam', outcome: 'Forbidden' })?.values).toEqual([1]);
      expect(line.some((m) => m.name === 'Login' || m.name === 'AwsCallMs')).toBe(false);
    });

    it('counts an AssumeRoleDenied, the alarm that says a trust drifted, as a 5xx', async () => {
      fake.secrets.set('console-broker/external-id/prod-readonly', 'anExternalIdTheTrustNoLongerHolds');

      await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER }));

      const [line = []] = stdout.lines().map(extractMetrics);
      expect(findMetric(line, 'Refused', { outcome: 'AssumeRoleDenied' })?.values).toEqual([1]);
      expect(findMetric(line, 'ServerError', {})?.values).toEqual([1]);
      expect(findMetric(line, 'AwsCallMs', {})?.values[0]).toBeGreaterThan(0);
    });

    it('keeps the dimensions to entry, target and outcome, whatever the caller sends', async () => {
      await invoke(functionUrlEvent({ callerArn: ADMIN_CALLER, path: '/no-such-target-0123456789', query: 'region=xx-nowhere-9' }));

      const dimensionNames = new Set(stdout.lines().map(extractMetrics).flat().flatMap((m) => Object.keys(m.dimensions)));
      expect([...dimensionNames].sort()).toEqual(['entry', 'outcome']);
    });
  });
});

describe('targets', () => {
  const fake = new FakeAws();
  let invoke: Invoke;

  beforeAll(async () => {
    await fake.start();
    captureStdout();
    invoke = await loadHandler(fake);
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await fake.stop();
  });

  it('lists only the targets the caller may open, and calls no AWS service', async () => {
    const response = await invoke(functionUrlEvent({ path: '/targets', callerArn: ADMIN_CALLER }));

    expect(response.statusCode).toBe(200);
    expect(json(response.body)).toEqual({
      caller: ADMIN_CALLER,
      targets: [
        { name: 'prod-readonly', accountId: '222222222222', roleArn: READONLY_ROLE, defaultRegion: 'eu-west-1' },
        { name: 'customer-acme', accountId: '333333333333', roleArn: ACME_ROLE, defaultRegion: 'eu-west-1' },
      ],
    });
    expect(fake.calls).toEqual([]);
  });

  it('lists nothing to a caller with no targets, and links each target on the HTML page', async () => {
    const none = json((await invoke(functionUrlEvent({ path: '/targets', callerArn: OUTSIDER_CALLER }))).body);
    const page = await invoke(functionUrlEvent({ path: '/targets', callerArn: BOT_CALLER, accept: 'text/html' }));

    expect(none.targets).toEqual([]);
    expect(page.body).toContain('<a href="/prod-readonly">prod-readonly</a>');
    expect(page.body).not.toContain('customer-acme');
  });

  it('refuses parameters and methods it does not take', async () => {
    expect((await invoke(functionUrlEvent({ path: '/targets', query: 'all=1' }))).statusCode).toBe(400);
    expect((await invoke(functionUrlEvent({ path: '/targets', method: 'DELETE' }))).statusCode).toBe(405);
  });
});
