import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES } from '../../lambda/web/cookies';
import { RECENT_COOKIE } from '../../lambda/web/recent-targets';
import { startWebEntry, type WebEntry } from '../support/web-entry';

// Threat: sign-out deletes the 90-day opened-last cookie so that the next person at a shared browser
// learns nothing of what was opened; but only while the session was still valid. Pressing Sign out in a tab
// whose session had expired (the usual case an hour later) said "You are signed out" and left the cookie,
// naming what was opened, for the next person.

const SAME_ORIGIN_POST = { accept: 'text/html', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'content-type': 'application/x-www-form-urlencoded' };
const RECENT = { [RECENT_COOKIE]: 'prod-readonly.prod-billing' };
/** Whether the answer deletes the cookie: the same name, empty, Max-Age=0. */
const deletes = (setCookies: readonly string[], name: string): boolean => setCookies.some((line) => line.startsWith(`${name}=;`) && /Max-Age=0(;|$)/.test(line));

describe('sign-out without a valid session', () => {
  let web: WebEntry;
  let expired: string;

  beforeAll(async () => {
    web = await startWebEntry();
    expired = await web.session({}, web.keys, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
  });

  afterAll(async () => {
    await web.stop();
  });

  it('deletes the opened-last cookie and the session cookie when the session has expired', async () => {
    const page = await web.request('/logout', { method: 'POST', headers: SAME_ORIGIN_POST, cookies: { [COOKIE_NAMES.session]: expired, ...RECENT }, body: 'csrf=what-the-old-page-held' });

    expect(page.body).toContain('You are signed out');
    expect(deletes(page.setCookies, RECENT_COOKIE)).toBe(true);
    expect(deletes(page.setCookies, COOKIE_NAMES.session)).toBe(true);
  });

  it('deletes the opened-last cookie when the browser has already dropped the session cookie', async () => {
    const page = await web.request('/logout', { method: 'POST', headers: SAME_ORIGIN_POST, cookies: RECENT, body: 'csrf=what-the-old-page-held' });

    expect(deletes(page.setCookies, RECENT_COOKIE)).toBe(true);
  });

  it('clears nothing for a POST that carries neither cookie, as another site’s does (SameSite=Lax)', async () => {
    const page = await web.request('/logout', { method: 'POST', headers: { ...SAME_ORIGIN_POST, 'sec-fetch-site': 'cross-site' }, body: '' });

    expect(page.body).toContain('You are signed out');
    expect(page.setCookies).toEqual([]);
  });
});
