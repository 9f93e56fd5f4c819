import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES, seal, unseal } from '../lambda/web/cookies';
import type { FakeAws } from './fakes/aws';
import type { RunningProvider } from './fakes/oidc';
import { launchBrowser } from './support/browser';
import { findLeaks } from './support/leaks';
import { startWebEntry, type WebEntry } from './support/web-entry';

describe('the browser entry, signed in at a real OpenID provider', () => {
  let web: WebEntry;
  let aws: FakeAws;
  let provider: RunningProvider;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    web = await startWebEntry();
    ({ aws, provider, base } = web);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    expect(findLeaks(web.logs.join(''), aws)).toEqual([]);
    await web.stop();
  });

  /** Signs in at the provider's own pages as `user`, from wherever the broker sent the browser. */
  async function signIn(page: Page, user: string): Promise<void> {
    await enterCredentials(page, user);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => !url.href.startsWith(provider.issuer));
  }

  /** The provider's sign-in page: name and any password; ends on its consent page. */
  async function enterCredentials(page: Page, user: string): Promise<void> {
    await page.getByRole('button', { name: 'Sign-in' }).waitFor();
    await page.fill('input[name="login"]', user);
    await page.fill('input[name="password"]', 'anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
  }

  /** The fake console's page, reached through the sign-in origin, the console host and the regional console host. */
  async function consoleFields(page: Page): Promise<Record<string, string>> {
    await page.waitForURL(`${aws.regionalConsoleUrl}/console`);
    const items = page.locator('dd[data-field]');
    const fields: Record<string, string> = {};
    for (let i = 0; i < (await items.count()); i++) {
      fields[(await items.nth(i).getAttribute('data-field')) ?? ''] = (await items.nth(i).textContent()) ?? '';
    }
    return fields;
  }

  async function signedIn(user: string, path = '/'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}${path.slice(1)}`);
    await signIn(page, user);
    return { context, page };
  }

  it('shows exactly the targets the person may open, and opens one in the chosen region and service', async () => {
    const { context, page } = await signedIn('alice');
    // form-action also governs every redirect after the submit; Chromium names a refused one on the console.
    const refused = page.waitForEvent('console', { predicate: (m) => m.text().includes('Content Security Policy') }).then((m) => m.text(), () => 'closed');

    expect(await page.locator('tbody tr strong').allTextContents()).toEqual(['prod-readonly']);
    await page.selectOption('select[name="region"]', 'eu-central-1');
    await page.selectOption('select[name="service"]', 'ec2');
    await page.getByRole('button', { name: 'Open console' }).click();
    const landed = page.waitForURL(`${aws.regionalConsoleUrl}/console`).then(() => 'on the regional console', () => 'not there');

    expect(await Promise.race([landed, refused])).toBe('on the regional console');
    expect(await consoleFields(page)).toMatchObject({ account: '222222222222', role: 'ConsoleBrokerReadOnly', session: 'alice@example.com', region: 'eu-central-1', service: 'ec2' });
    await context.close();
  });

  it('keeps a deep link through sign-in, and opens it on the confirmation page’s button', async () => {
    const { context, page } = await signedIn('alice', '/prod-readonly?service=s3&region=eu-west-2');
    // The way back from the provider is a cross-site navigation: the person confirms what opens.
    await page.getByRole('button', { name: 'Open console' }).click();

    expect(await consoleFields(page)).toMatchObject({ role: 'ConsoleBrokerReadOnly', service: 's3', region: 'eu-west-2' });
    await context.close();
  });

  it('lets a person in by verified e-mail address', async () => {
    const { context, page } = await signedIn('carol', '/prod-billing');
    await page.getByRole('button', { name: 'Open console' }).click();

    expect(await consoleFields(page)).toMatchObject({ role: 'ConsoleBrokerBilling', session: 'carol@example.com' });
    await context.close();
  });

  it('shows a person outside every group no target, and a target that is not theirs as one that does not exist', async () => {
    const { context, page } = await signedIn('bob');
    expect(await page.textContent('body')).toContain('You may open no target');

    const response = await page.goto(`${base}prod-readonly`);

    expect(response?.status()).toBe(404);
    expect(await page.textContent('body')).toContain('you may open no target named "prod-readonly"; targets you may open: none');
    await context.close();
  });

  it('signs out with the header’s button: the session cookie is gone and the next visit goes back to the provider', async () => {
    const { context, page } = await signedIn('alice');

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.textContent('h1')).toBe('Signed out');
    expect((await context.cookies(base)).map((c) => c.name)).not.toContain(COOKIE_NAMES.session);
    const toProvider = page.waitForRequest((request) => request.url().startsWith(provider.issuer));
    await page.goto(base);

    await toProvider;
    await context.close();
  });

  it('serves pages with a strict Content-Security-Policy and cookies a script cannot read', async () => {
    const { context, page } = await signedIn('alice');
    const response = await page.goto(base);
    const cookies = await context.cookies(base);
    // The home page's one inline script, the filter, runs by its hash alone.
    const scriptHash = createHash('sha256').update((await page.locator('script').textContent()) ?? '').digest('base64');

    expect(response?.headers()['content-security-policy']).toBe(
      `default-src 'none'; style-src 'sha256-${/sha256-([^']+)/.exec(response?.headers()['content-security-policy'] ?? '')?.[1] ?? ''}'; script-src 'sha256-${scriptHash}'; base-uri 'none'; form-action 'self' ${new URL(aws.federationUrl).origin} ${new URL(aws.regionalFederationUrl).origin} ${aws.consoleUrl} ${aws.regionalConsoleUrl}; frame-ancestors 'none'`,
    );
    expect(cookies.find((c) => c.name === COOKIE_NAMES.session)).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    await context.close();
  });

  describe('refusals that never reach STS', () => {
    async function get(path: string, cookies: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
      const response = await fetch(`${base}${path.slice(1)}`, {
        // As a typed address: a request from another site would get the confirmation page first.
        headers: { accept: 'text/html', 'sec-fetch-site': 'none', cookie: Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ') },
        redirect: 'manual',
      });
      return { status: response.status, body: await response.text(), location: response.headers.get('location') };
    }

    async function withoutSts<T>(act: () => Promise<T>): Promise<T> {
      const before = aws.callsTo('sts').length;
      const result = await act();
      expect(aws.callsTo('sts').length).toBe(before);
      return result;
    }

    const session = (idp: string, ttl = 600): Promise<string> =>
      seal({ idp, sub: 'alice', email: 'alice@example.com', email_verified: true, groups: ['admins'] }, web.keys.session, 'session', ttl);

    it('accepts a session it sealed itself (the control for the cases below)', async () => {
      const { status } = await get('/prod-readonly', { [COOKIE_NAMES.session]: await session(provider.issuer) });

      expect(status).toBe(302);
    });

    it('answers an unknown target with a 404 page naming the targets the person may open', async () => {
      const { status, body } = await withoutSts(async () => get('/nope', { [COOKIE_NAMES.session]: await session(provider.issuer) }));

      expect(status).toBe(404);
      expect(body).toContain('you may open no target named &#34;nope&#34;; targets you may open: prod-readonly');
    });

    it('refuses a tampered session cookie', async () => {
      const sealed = await session(provider.issuer);
      const tampered = `${sealed.slice(0, -6)}${sealed.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;

      const { status, body } = await withoutSts(() => get('/prod-readonly', { [COOKIE_NAMES.session]: tampered }));

      expect(status).toBe(401);
      expect(body).toContain('not valid');
    });

    it('refuses a session cookie from another issuer', async () => {
      const { status } = await withoutSts(async () => get('/prod-readonly', { [COOKIE_NAMES.session]: await session('https://other-idp.example.com') }));

      expect(status).toBe(401);
    });

    it('refuses an expired session, with a page that offers to sign in again', async () => {
      const sealed = await session(provider.issuer, 1);
      await new Promise((resolve) => setTimeout(resolve, 2100));

      const { status, body } = await withoutSts(() => get('/prod-readonly?service=ec2', { [COOKIE_NAMES.session]: sealed }));

      expect(status).toBe(401);
      expect(body).toContain('Your console-broker session has expired.');
      expect(body).toContain('/auth/signin?returnTo=%2Fprod-readonly%3Fservice%3Dec2');
    });

    /** Runs a sign-in up to the provider's redirect back, and returns that callback path and the sign-in cookie. */
    async function interruptedSignIn(user: string): Promise<{ callback: string; signinCookie: string; context: BrowserContext }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      const caught = new Promise<string>((resolve) => {
        web.catchCallback = resolve;
      });
      await page.goto(`${base}prod-readonly`);
      const signinCookie = (await context.cookies(base)).find((c) => c.name === COOKIE_NAMES.signin)?.value ?? '';
      await enterCredentials(page, user);
      await page.getByRole('button', { name: 'Continue' }).click();
      const callback = await caught;
      web.catchCallback = undefined;
      return { callback, signinCookie, context };
    }

    it('refuses a replayed state: the callback without its sign-in cookie, and again after use', async () => {
      const { callback, signinCookie, context } = await interruptedSignIn('alice');
      const path = callback;

      const first = await get(path, { [COOKIE_NAMES.signin]: signinCookie });
      const replayedWithout = await withoutSts(() => get(path, {}));
      const replayedWith = await withoutSts(() => get(path, { [COOKIE_NAMES.signin]: signinCookie }));

      expect(first.status).toBe(302);
      expect(replayedWithout.status).toBe(400);
      expect(replayedWithout.body).toContain('This sign-in was already used or has expired.');
      expect(replayedWith.status).toBe(400);
      expect(replayedWith.body).toContain('This sign-in was already used or has expired.');
      await context.close();
    });

    it('refuses a sign-in whose nonce is not the one sent', async () => {
      const { callback, signinCookie, context } = await interruptedSignIn('alice');
      const opened = await unseal(signinCookie, web.keys.signin, 'signin');
      if (!opened.ok) throw new Error('the sign-in cookie did not open');
      const forged = await seal({ ...opened.payload, nonce: 'a-nonce-the-provider-never-saw' }, web.keys.signin, 'signin', 600);

      const { status, body } = await withoutSts(() => get(callback, { [COOKIE_NAMES.signin]: forged }));

      expect(status).toBe(400);
      expect(body).toContain('SignInFailed');
      await context.close();
    });
  });
});
