import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES } from '../../lambda/web/cookies';
import { csrfToken } from '../../lambda/web/csrf';
import { startWebEntry, type WebEntry } from '../support/web-entry';

// Threat: the reason logged in a person's name is not the one they gave (a link from elsewhere puts
// words in their mouth, or text that splits the log line or the page), a target that requires a
// reason opens without one, or a signed-in person names somebody else as a bot may.

const TARGETS = [
  { name: 'prod-readonly', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly', allowedGroups: ['admins'], requireReason: true },
  { name: 'prod-billing', accountId: '222222222222', roleName: 'ConsoleBrokerBilling', allowedGroups: ['admins'] },
];
const SAME_ORIGIN = { accept: 'text/html', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' };
const CROSS_SITE = { accept: 'text/html', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };

describe('a reason on the browser entry', () => {
  let web: WebEntry;
  let session: string;

  beforeAll(async () => {
    web = await startWebEntry({ targets: TARGETS });
    session = await web.session();
  });

  afterAll(async () => {
    await web.stop();
  });

  const stsCalls = (): number => web.aws.callsTo('sts').length;
  const get = (path: string, headers: Record<string, string> = SAME_ORIGIN): ReturnType<WebEntry['request']> =>
    web.request(path, { headers, cookies: { [COOKIE_NAMES.session]: session } });
  const lastLogin = (): Record<string, unknown> | undefined =>
    web.logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.route === 'login')
      .at(-1);

  it('asks for a reason in each picker, required where the target requires one', async () => {
    const home = await get('/');

    const field = (target: string): string => new RegExp(`<input class="reason"[^>]*aria-label="Reason for opening ${target}"[^>]*>`).exec(home.body)?.[0] ?? '';
    expect(field('prod-readonly')).toMatch(/ name="reason" maxlength="200" .* required>$/);
    expect(field('prod-billing')).not.toMatch(/required/);
  });

  it('refuses a login without a reason where the target requires one, whatever the browser checked', async () => {
    const before = stsCalls();

    const none = await get('/prod-readonly?region=eu-west-1&service=home');
    const blank = await get('/prod-readonly?region=eu-west-1&service=home&reason=+++');

    for (const answer of [none, blank]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('target &#34;prod-readonly&#34; requires a reason for every login');
      expect(answer.body).toContain('<code>ReasonRequired</code>');
    }
    expect(stsCalls()).toBe(before);
  });

  it('opens with the reason from the picker and logs it', async () => {
    const answer = await get('/prod-readonly?region=eu-west-1&service=home&reason=INC-4711+disk+full');

    expect(answer.status).toBe(302);
    expect(lastLogin()).toMatchObject({ target: 'prod-readonly', reason: 'INC-4711 disk full', status: 302 });
  });

  it('refuses a reason with a line break or a control character, before any AWS call', async () => {
    const before = stsCalls();

    for (const reason of ['INC-1%0Astatus%3D200', 'INC-1%1B%5B2J', 'INC-1%E2%80%AEevil']) {
      const answer = await get(`/prod-billing?reason=${reason}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatch(/reason holds the character U\+/);
    }
    expect(stsCalls()).toBe(before);
  });

  it('shows the reason a link from elsewhere gives, escaped, and posts exactly that one', async () => {
    // Prepare: another site links to the target with a reason of its choosing
    const shown = await get(`/prod-billing?reason=${encodeURIComponent('<b>approved</b> by "security"')}`, CROSS_SITE);
    const action = /<form method="post" action="([^"]*)"/.exec(shown.body)?.[1]?.replace(/&amp;/g, '&') ?? '';

    // Act
    const opened = await web.request(action, {
      method: 'POST',
      headers: { ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { [COOKIE_NAMES.session]: session },
      body: `csrf=${csrfToken(web.keys, session)}`,
    });

    // Assess
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('<tr><th>Reason</th><td><code>&#60;b&#62;approved&#60;/b&#62; by &#34;security&#34;</code></td></tr>');
    expect(shown.body).not.toContain('<b>approved');
    expect(opened.status).toBe(302);
    expect(lastLogin()).toMatchObject({ target: 'prod-billing', reason: '<b>approved</b> by "security"' });
  });

  it('asks before opening a typed or handed-over link that gives a reason, which the person has not seen', async () => {
    const before = stsCalls();

    const answer = await get('/prod-billing?reason=approved+by+security', { accept: 'text/html', 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<tr><th>Reason</th><td><code>approved by security</code></td></tr>');
    expect(stsCalls()).toBe(before);
  });

  it('refuses the person parameter: a signed-in person cannot name somebody else', async () => {
    const before = stsCalls();

    const answer = await web.request('/prod-billing?for=carol%40example.com', { headers: { ...SAME_ORIGIN, accept: 'application/json' }, cookies: { [COOKIE_NAMES.session]: session } });

    expect(answer.status).toBe(400);
    expect(answer.body).toContain('unknown parameter \\"for\\"');
    expect(stsCalls()).toBe(before);
  });
});
