import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLog, type BrokerContext } from '../../lambda/core/middleware';
import { COOKIE_NAMES } from '../../lambda/web/cookies';
import { functionUrlEvent, lambdaContext } from '../support/events';
import { cookieValues } from '../support/oidc-sign-in';
import { startWebEntry, TYPED, type Answer, type WebEntry } from '../support/web-entry';

// Threat: anyone on the internet could make the broker hammer the company's sign-in provider.
// /auth/signin hands anyone a sign-in cookie and shows its state in the redirect; replayed to the
// callback with made-up codes, the one cookie made the Lambda call the provider's token endpoint, with
// the broker's client secret, once per request for ten minutes. Providers rate-limit token calls per
// organization, so this could stop sign-in for everyone, in other apps too. A provider that was down
// was asked for its discovery document on every request. Nothing in the log said who was flooding.

const TOKEN = '/token';
const DISCOVERY = '/.well-known/openid-configuration';
const PER_MINUTE = 5;
const FLOOD_AGENT = 'flood/1.0';

/** The most discoveries a backoff of 1 s doubling after each failure allows in `elapsedMs`. */
const mostDiscoveries = (elapsedMs: number): number => 1 + Math.floor(Math.log2(elapsedMs / 1000 + 1));

describe('an outsider cannot make the browser entry hammer the sign-in provider', () => {
  let web: WebEntry;

  beforeAll(async () => {
    web = await startWebEntry({ env: { OIDC_TOKEN_EXCHANGES_PER_MINUTE: String(PER_MINUTE) } });
  });

  afterAll(async () => {
    await web.stop();
  });

  /** What anyone gets from /auth/signin: a sign-in cookie, and its state in the redirect to the provider. */
  async function signInCookie(): Promise<{ cookie: string; state: string }> {
    const answer = await web.request('/auth/signin', { headers: { ...TYPED, 'user-agent': FLOOD_AGENT } });
    expect(answer.status).toBe(302);
    return { cookie: cookieValues(answer.setCookies)[COOKIE_NAMES.signin] ?? '', state: new URL(answer.location ?? '').searchParams.get('state') ?? '' };
  }

  /** The provider's redirect back, with a code the attacker made up (and the issuer, which the broker's client requires). */
  const forgedCallback = (signin: { cookie: string; state: string }, code: string): Promise<Answer> =>
    web.request(`/auth/callback?${new URLSearchParams({ code, state: signin.state, iss: web.provider.issuer }).toString()}`, {
      headers: { ...TYPED, 'user-agent': FLOOD_AGENT },
      cookies: { [COOKIE_NAMES.signin]: signin.cookie },
    });

  it('asks a provider that is down for discovery once per backoff interval, not once per request', async () => {
    // Prepare
    web.provider.unavailable = true;
    const started = Date.now();

    // Act
    const answers: Answer[] = [];
    for (let i = 0; i < 25; i++) answers.push(await web.request('/auth/signin', { headers: TYPED }));
    const elapsed = Date.now() - started;

    // Assess
    expect(answers.every((a) => a.status === 502 && a.body.includes('ProviderUnavailable'))).toBe(true);
    expect(Number(answers.at(-1)?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(web.provider.requests(DISCOVERY)).toBeGreaterThanOrEqual(1);
    expect(web.provider.requests(DISCOVERY)).toBeLessThanOrEqual(mostDiscoveries(elapsed));
  });

  it('signs a person in again once the provider is back and the backoff has passed (the control)', async () => {
    // Prepare
    web.provider.unavailable = false;
    const refused = await web.request('/auth/signin', { headers: TYPED });
    if (refused.status === 502) await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000 + 100));
    const before = web.provider.requests(TOKEN);

    // Act
    const { callback } = await web.signIn('alice', '/');

    // Assess
    expect(callback.status).toBe(302);
    expect(web.provider.requests(TOKEN) - before).toBe(1);
  });

  it('costs the provider at most one token exchange for one sign-in cookie replayed 25 times with made-up codes', async () => {
    // Prepare
    const signin = await signInCookie();
    const before = web.provider.requests(TOKEN);

    // Act
    const answers: Answer[] = [];
    for (let i = 0; i < 25; i++) answers.push(await forgedCallback(signin, `made-up-code-${String(i)}`));

    // Assess
    expect(web.provider.requests(TOKEN) - before).toBe(1);
    expect(answers[0]?.body).toContain('SignInFailed');
    expect(answers.slice(1).every((a) => a.status === 400 && a.body.includes('This sign-in was already used or has expired.'))).toBe(true);
  });

  it(`starts at most ${String(PER_MINUTE)} token exchanges a minute, however many fresh sign-ins come back, and says when to try again`, async () => {
    // Act
    const answers: Answer[] = [];
    for (let i = 0; i < PER_MINUTE; i++) answers.push(await forgedCallback(await signInCookie(), 'made-up-code'));

    // Assess: the two tests before spent two of the minute's exchanges.
    expect(web.provider.requests(TOKEN)).toBe(PER_MINUTE);
    const busy = answers.at(-1);
    expect(busy?.status).toBe(429);
    expect(busy?.body).toContain('SignInBusy');
    expect(Number(busy?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('logs where each unauthenticated request came from, so that a flood can be traced', () => {
    const lines = web.logs
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const callbacks = lines.filter((line) => line.message === 'request' && line.route === 'callback' && line.userAgent === FLOOD_AGENT);

    expect(callbacks.length).toBeGreaterThanOrEqual(25);
    expect(callbacks.every((line) => line.sourceIp === '127.0.0.1' && line.caller === undefined)).toBe(true);
  });
});

describe('the access log of a request no caller is known for', () => {
  const logged = async (entry: 'slack' | 'iam', event: ReturnType<typeof functionUrlEvent>): Promise<Record<string, unknown>> => {
    const lines: string[] = [];
    const log = accessLog({ entry, write: (line) => lines.push(line) });
    const request = { event, context: lambdaContext() as unknown as BrokerContext, response: { statusCode: 401 }, error: null, internal: {} };
    await log.before?.(request);
    await log.after?.(request);
    return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  };

  it('names its source address and user agent, as for a Slack request refused before its signature is verified', async () => {
    const event = functionUrlEvent({ callerArn: null });

    expect(await logged('slack', event)).toMatchObject({ sourceIp: '192.0.2.10', userAgent: 'test' });
  });

  it('keeps a user agent to 256 characters, and leaves both out when a caller is known', async () => {
    const long = functionUrlEvent({ callerArn: null });
    const flooding = { ...long, requestContext: { ...long.requestContext, http: { ...long.requestContext.http, userAgent: 'x'.repeat(10_000) } } };

    expect(String((await logged('slack', flooding)).userAgent)).toHaveLength(256);
    expect(await logged('iam', functionUrlEvent())).not.toHaveProperty('sourceIp');
  });
});
