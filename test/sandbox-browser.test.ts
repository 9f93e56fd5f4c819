import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PERSON } from '../sandbox/browser-entry';
import type { SandboxEntry } from '../sandbox/entry';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';
import { cookieValues, request, signInOverHttp, TYPED, type Answer } from './support/oidc-sign-in';

/** Follows a login URL's redirects with a cookie jar, as a browser would, to the page it ends on. */
async function follow(location: string): Promise<{ url: string; answer: Answer }> {
  const jar: Record<string, string> = {};
  let url = location;
  for (let hop = 0; hop < 10; hop++) {
    const answer = await request(url, url, { cookies: jar });
    Object.assign(jar, cookieValues(answer.setCookies));
    if (answer.location === null) return { url, answer };
    url = new URL(answer.location, url).href;
  }
  throw new Error(`more than 10 redirects from ${location}`);
}

// HTTP, not Chromium: what is checked here is that the sandbox wires the entry, its provider and its
// configuration together; the browser itself meets the same bundle and provider in home-page.browser.test.ts.
describe('the sandbox’s browser entry, as npm start prints it', () => {
  let sandbox: Sandbox;
  let entry: SandboxEntry;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const found = sandbox.entries.find((e) => e.name === 'browser entry');
    if (!found) throw new Error('the sandbox started no browser entry');
    entry = found;
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('signs the printed person in and opens a target it says they may open, in the fake console', async () => {
    // Prepare: what npm start prints
    const target = /You may open ([a-z0-9-]+)/.exec(entry.howToTry)?.[1] ?? '';
    expect(entry.howToTry).toContain(`Open ${entry.url} `);
    expect(entry.howToTry).toContain(`as ${SANDBOX_PERSON.id}, any password`);

    // Act
    const { callback, cookies } = await signInOverHttp(entry.url, SANDBOX_PERSON.id);
    const home = await request(entry.url, '/', { headers: TYPED, cookies });
    const opened = await request(entry.url, `/${target}`, { headers: TYPED, cookies });
    const landed = await follow(opened.location ?? '');

    // Assess
    expect(callback.location).toBe(entry.url);
    expect(home.body).toContain(`<strong>${target}</strong>`);
    expect(opened.status).toBe(302);
    expect(opened.location?.startsWith(sandbox.aws.federationUrl)).toBe(true);
    expect(landed.url).toBe(`${sandbox.aws.regionalConsoleUrl}/console`);
    expect(landed.answer.body).toMatch(/<dd data-field="account">\d{12}<\/dd>/);
    expect(landed.answer.body).toContain(`<dd data-field="session">${SANDBOX_PERSON.email}</dd>`);
  });

  it('keeps what the person may not open off the home page, and refuses it', async () => {
    const { cookies } = await signInOverHttp(entry.url, SANDBOX_PERSON.id);
    const mayOpen = (/You may open ([a-z0-9-, ]+)\./.exec(entry.howToTry)?.[1] ?? '').split(', ');
    const other = ['prod-billing', 'customer-globex'].find((name) => !mayOpen.includes(name)) ?? '';

    const home = await request(entry.url, '/', { headers: TYPED, cookies });
    const refused = await request(entry.url, `/${other}`, { headers: TYPED, cookies });

    expect(home.body).not.toContain(`<strong>${other}</strong>`);
    // A target that is not theirs answers as a name that is no target (no enumeration).
    expect(refused.status).toBe(404);
  });
});
