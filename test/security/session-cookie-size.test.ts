import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES, MAX_COOKIE_BYTES, unseal } from '../../lambda/web/cookies';
import { DEFAULT_USERS, startWebEntry, TYPED, type WebEntry } from '../support/web-entry';

// Many groups the broker has no use for, as a directory gives a person in a large company.
const MANY_GROUPS = Array.from({ length: 300 }, (_, i) => `directory-group-${String(i).padStart(4, '0')}-of-a-large-company`);

describe('the session cookie stays small enough for a browser to keep', () => {
  let web: WebEntry;

  beforeAll(async () => {
    web = await startWebEntry({
      users: [
        ...DEFAULT_USERS,
        { id: 'dave', email: 'dave@example.com', groups: [...MANY_GROUPS, 'admins'] },
        // An address no cookie can hold, however few groups come with it.
        { id: 'erin', email: `${'e'.repeat(4000)}@example.com`, groups: ['admins'] },
      ],
    });
  });

  afterAll(async () => {
    await web.stop();
  });

  it('keeps only the groups some target admits, so a person in hundreds of groups stays signed in', async () => {
    // Prepare
    const { callback, cookies } = await web.signIn('dave', '/');
    const line = callback.setCookies.find((c) => c.startsWith(`${COOKIE_NAMES.session}=`)) ?? '';

    // Act
    const home = await web.request('/', { cookies: { [COOKIE_NAMES.session]: cookies[COOKIE_NAMES.session] ?? '' }, headers: TYPED });

    // Assess
    expect(callback.status).toBe(302);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_COOKIE_BYTES);
    const opened = await unseal(cookies[COOKIE_NAMES.session] ?? '', web.keys.session, 'session');
    expect(opened.ok && opened.payload.groups).toEqual(['admins']);
    expect(home.status).toBe(200);
    expect(home.body).toContain('prod-readonly');
  });

  it('answers an error page, not a cookie the browser would drop, when the session still does not fit', async () => {
    // Act
    const { callback } = await web.signIn('erin', '/');

    // Assess
    expect(callback.status).toBe(400);
    expect(callback.body).toContain('SessionTooLarge');
    expect(callback.setCookies.some((c) => c.startsWith(`${COOKIE_NAMES.session}=`))).toBe(false);
  });
});
