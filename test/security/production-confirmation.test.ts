import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryFor } from '../../lib/broker-stack';
import { parseLoginRequest } from '../../lambda/core/request';
import { HttpError } from '../../lambda/core/errors';
import { COOKIE_NAMES } from '../../lambda/web/cookies';
import { csrfToken } from '../../lambda/web/csrf';
import { ADMIN_CALLER, testConfig } from '../support/config';
import { functionUrlEvent } from '../support/events';
import { startWebEntry, TYPED, type WebEntry } from '../support/web-entry';

// prod-readonly is production by its environment; dev-readonly is not. Alice (admins) may open both.
const TARGETS = [
  { name: 'prod-readonly', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly', allowedGroups: ['admins'], environment: 'prod' },
  { name: 'prod-billing', accountId: '222222222222', roleName: 'ConsoleBrokerBilling', allowedGroups: ['admins'], environment: 'dev' },
];
const SAME_ORIGIN = { accept: 'text/html', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' };
const CROSS_SITE = { accept: 'text/html', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };

describe('a production target opens only after the person confirms it, whatever way in', () => {
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
  const get = (path: string, headers: Record<string, string>): ReturnType<WebEntry['request']> =>
    web.request(path, { headers, cookies: { [COOKIE_NAMES.session]: session } });
  const confirmationShown = (body: string): boolean => body.includes('Open this AWS console?') && /<th>Production<\/th>/.test(body);

  it.each([
    ['a plain link or typed address (none)', '/prod-readonly', TYPED],
    ['a link on a broker page, or the home page with its box unticked (same-origin)', '/prod-readonly?service=ec2', SAME_ORIGIN],
    ['a link that carries the box’s value (none)', '/prod-readonly?confirm=production', TYPED],
    ['another site’s link that carries the box’s value', '/prod-readonly?confirm=production', CROSS_SITE],
    ['a browser that says nothing', '/prod-readonly?confirm=production', { accept: 'text/html' }],
  ])('answers %s with the confirmation page, marked Production, and calls no AWS API', async (_way, path, headers) => {
    // Prepare
    const before = stsCalls();

    // Act
    const answer = await get(path, headers);

    // Assess
    expect(answer.status).toBe(200);
    expect(confirmationShown(answer.body)).toBe(true);
    expect(stsCalls()).toBe(before);
  });

  it('opens at once from the home page’s form with its box ticked', async () => {
    const before = stsCalls();

    const answer = await get('/prod-readonly?region=eu-west-1&service=home&confirm=production', SAME_ORIGIN);

    expect(answer.status).toBe(302);
    expect(answer.location?.startsWith(web.aws.federationUrl)).toBe(true);
    expect(stsCalls()).toBe(before + 1);
  });

  it('posts the confirmation without the box’s value, and opens on the POST with the session’s token only', async () => {
    const shown = await get('/prod-readonly?service=ec2&confirm=production', TYPED);
    const action = /<form method="post" action="([^"]*)"/.exec(shown.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const post = (body: string): ReturnType<WebEntry['request']> =>
      web.request(action, { method: 'POST', headers: { ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, cookies: { [COOKIE_NAMES.session]: session }, body });
    const before = stsCalls();

    const refused = await post('csrf=AAAA');
    const opened = await post(`csrf=${csrfToken(web.keys, session)}`);

    expect(action).toBe('/prod-readonly?service=ec2');
    expect(refused.status).toBe(403);
    expect(opened.status).toBe(302);
    expect(stsCalls()).toBe(before + 1);
  });

  it('asks again on the way back from sign-in, even for a link that carried the box’s value', async () => {
    const { callback, cookies } = await web.signIn('alice', '/prod-readonly?confirm=production');
    const before = stsCalls();

    // The provider's redirect back is cross-site, and so is the broker's redirect that follows it.
    const back = await web.request(callback.location ?? '', { headers: CROSS_SITE, cookies });

    expect(callback.location).toBe(`${web.base}prod-readonly?confirm=production`);
    expect(back.status).toBe(200);
    expect(confirmationShown(back.body)).toBe(true);
    expect(stsCalls()).toBe(before);
  });

  it('still opens a target that is not production at once from a plain link, box or none', async () => {
    const plain = await get('/prod-billing', TYPED);
    const ticked = await get('/prod-billing?confirm=production', SAME_ORIGIN);

    expect(plain.status).toBe(302);
    expect(ticked.status).toBe(302);
  });

  it.each([
    ['another value', 'confirm=yes', /confirm must be production/],
    ['the box twice', 'confirm=production&confirm=production', /more than once/],
  ])('refuses %s with 400', async (_what, query, message) => {
    const answer = await web.request(`/prod-readonly?${query}`, { headers: { ...SAME_ORIGIN, accept: 'application/json' }, cookies: { [COOKIE_NAMES.session]: session } });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(message);
  });

  it('is the browser entry’s parameter: the IAM entry refuses it as unknown, production or not', () => {
    const registry = registryFor(testConfig());

    const parse = (): unknown => parseLoginRequest(functionUrlEvent({ path: '/prod-readonly', query: 'confirm=production', callerArn: ADMIN_CALLER }), registry);

    expect(parse).toThrow(HttpError);
    expect(parse).toThrow(/unknown parameter "confirm"/);
  });
});
