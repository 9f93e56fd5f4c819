import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES } from '../../lambda/web/cookies';
import { csrfToken } from '../../lambda/web/csrf';
import { RECENT_COOKIE } from '../../lambda/web/recent-targets';
import { launchBrowser, signInToHomePage } from '../support/browser';
import { functionUrlEvent, lambdaContext } from '../support/events';
import { startWebEntry, TYPED, type WebEntry } from '../support/web-entry';

// A real target's console opened on CloudFormation's quick-create page with a template the attacker wrote.
const HOSTILE_DESTINATION = '/cloudformation/home?region=eu-west-1#/stacks/quickcreate?templateURL=https://evil.example/admin.yaml&stackName=x';
const ATTACK = `/prod-readonly?logout=1&destination=${encodeURIComponent(HOSTILE_DESTINATION)}`;

/** A page on another site that links to, and posts a form at, the broker. */
async function startAttackerSite(brokerBase: string): Promise<{ server: Server; port: number }> {
  const html =
    `<!doctype html><a id="login" href="${brokerBase}${ATTACK.slice(1)}">win a prize</a>` +
    `<a id="logout" href="${brokerBase}logout">read more</a>` +
    `<form id="post-logout" method="post" action="${brokerBase}logout"><button>go</button></form>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('a login or sign-out started by another site needs the person’s own click', () => {
  let web: WebEntry;
  let browser: Browser;
  let attacker: { server: Server; port: number };
  let session: string;

  beforeAll(async () => {
    web = await startWebEntry();
    browser = await launchBrowser();
    attacker = await startAttackerSite(web.base);
    session = await web.session();
  });

  afterAll(async () => {
    await browser.close();
    attacker.server.closeAllConnections();
    await new Promise((resolve) => attacker.server.close(resolve));
    await web.stop();
  });

  const stsCalls = (): number => web.aws.callsTo('sts').length;
  const withSession = (headers: Record<string, string>, method = 'GET', body?: string): ReturnType<WebEntry['request']> =>
    web.request(ATTACK, { method, headers: { accept: 'text/html', ...headers }, cookies: { [COOKIE_NAMES.session]: session }, body });

  describe('in Chromium', () => {
    async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signInToHomePage(page, web.base);
      return { context, page };
    }

    // localhost and 127.0.0.1 are different sites; another port of 127.0.0.1 is the same site.
    it.each([['cross-site', 'localhost'], ['same-site', '127.0.0.1']])('shows a %s link what it would open, and opens it only on the button', async (_kind, host) => {
      // Prepare
      const { context, page } = await signedIn();
      await page.goto(`http://${host}:${String(attacker.port)}/`);
      const before = stsCalls();

      // Act
      await page.click('#login');
      await page.getByRole('heading', { name: 'Open this AWS console?' }).waitFor();

      // Assess
      expect(stsCalls()).toBe(before);
      const shown = (await page.textContent('table')) ?? '';
      for (const text of ['prod-readonly', '222222222222', 'eu-west-1', 'quickcreate?templateURL=https://evil.example/admin.yaml', 'signs you out']) expect(shown).toContain(text);
      // The link asks to sign out first, which starts on us-east-1's sign-in host.
      const toFederation = page.waitForRequest((request) => request.url().startsWith(new URL(web.aws.regionalFederationUrl).origin));
      await page.getByRole('button', { name: 'Open console' }).click();
      await toFederation;
      expect(stsCalls()).toBe(before + 1);
      await context.close();
    });

    it('does not sign out on another site’s link or form', async () => {
      // Prepare
      const { context, page } = await signedIn();
      await page.goto(`http://localhost:${String(attacker.port)}/`);

      // Act
      await page.click('#logout');
      await page.getByRole('heading', { name: 'Sign out' }).waitFor();
      await page.goto(`http://localhost:${String(attacker.port)}/`);
      await page.click('#post-logout button');
      await page.waitForLoadState();

      // Assess
      expect((await context.cookies(web.base)).map((c) => c.name)).toContain(COOKIE_NAMES.session);
      await context.close();
    });

    it('signs out with the header’s button', async () => {
      const { context, page } = await signedIn();

      await page.getByRole('button', { name: 'Sign out' }).click();

      expect(await page.textContent('h1')).toBe('Signed out');
      expect((await context.cookies(web.base)).map((c) => c.name)).not.toContain(COOKIE_NAMES.session);
      await context.close();
    });
  });

  describe('by Sec-Fetch-Site', () => {
    it.each([['cross-site'], ['same-site'], [undefined]])('answers %s with the confirmation page, and calls no AWS API', async (site) => {
      const before = stsCalls();

      const answer = await withSession(site ? { 'sec-fetch-site': site } : {});

      expect(answer.status).toBe(200);
      expect(answer.body).toContain('Open this AWS console?');
      expect(answer.body).toContain(`value="${csrfToken(web.keys, session)}"`);
      expect(stsCalls()).toBe(before);
    });

    it('opens the console at once for same-origin: the broker’s own form', async () => {
      const before = stsCalls();

      const answer = await withSession({ 'sec-fetch-site': 'same-origin' });

      expect(answer.status).toBe(302);
      expect(new URL(answer.location ?? '', web.base).origin).not.toBe(new URL(web.base).origin);
      expect(stsCalls()).toBe(before + 1);
    });

    it('opens a plain login at once for none (a typed address), but not a destination or sign-out a chat or mail app handed the browser', async () => {
      const before = stsCalls();

      const plain = await web.request('/prod-readonly?service=ec2', { headers: TYPED, cookies: { [COOKIE_NAMES.session]: session } });
      const handed = await withSession({ 'sec-fetch-site': 'none' });
      const signOutFirst = await web.request('/prod-readonly?logout=1', { headers: TYPED, cookies: { [COOKIE_NAMES.session]: session } });

      expect(plain.status).toBe(302);
      expect(handed.body).toContain('Open this AWS console?');
      expect(signOutFirst.body).toContain('Open this AWS console?');
      expect(stsCalls()).toBe(before + 1);
    });

    it('posts the confirmation to the target’s own path, never to a host a doubled slash would name', async () => {
      const event = functionUrlEvent({ path: '//prod-readonly', query: 'service=ec2', callerArn: null, accept: 'text/html' });
      const answer = await web.handler(
        { ...event, headers: { ...event.headers, 'sec-fetch-site': 'cross-site' }, cookies: [`${COOKIE_NAMES.session}=${session}`] },
        lambdaContext() as unknown as Context,
      );

      const body = answer.body ?? '';
      expect(body).toContain('Open this AWS console?');
      const action = /<form[^>]*action="([^"]*)"/.exec(body.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))))?.[1] ?? '';
      expect(action).toBe('/prod-readonly?service=ec2');
      expect(new URL(action, web.base).origin).toBe(new URL(web.base).origin);
    });
  });

  describe('the confirmation’s POST', () => {
    const FORM = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };

    it('opens the console with the session’s token, in a plain or a base64-encoded body', async () => {
      const token = csrfToken(web.keys, session);
      const plain = await withSession(FORM, 'POST', `csrf=${encodeURIComponent(token)}`);
      const event = functionUrlEvent({ path: '/prod-readonly', callerArn: null, accept: 'text/html', method: 'POST' });
      const encoded = await web.handler(
        { ...event, cookies: [`${COOKIE_NAMES.session}=${session}`], body: Buffer.from(`csrf=${token}`).toString('base64'), isBase64Encoded: true },
        lambdaContext() as unknown as Context,
      );

      expect(plain.status).toBe(302);
      expect(encoded.statusCode).toBe(302);
    });

    it.each([
      ['no token', ''],
      ['a made-up token', 'csrf=AAAA'],
      ['another session’s token', 'other'],
    ])('refuses %s, and calls no AWS API', async (_name, body) => {
      const other = csrfToken(web.keys, await web.session({ sub: 'alice-in-another-browser' }));
      const before = stsCalls();

      const answer = await withSession(FORM, 'POST', body === 'other' ? `csrf=${other}` : body);

      expect(answer.status).toBe(403);
      expect(stsCalls()).toBe(before);
    });
  });

  describe('sign-out', () => {
    it('shows a button for GET /logout and keeps the session', async () => {
      const answer = await web.request('/logout', { headers: { accept: 'text/html', 'sec-fetch-site': 'cross-site' }, cookies: { [COOKIE_NAMES.session]: session } });

      expect(answer.status).toBe(200);
      expect(answer.body).toContain('<form method="post" action="/logout">');
      expect(answer.setCookies).toEqual([]);
    });

    it('signs out on POST /logout with the session’s token, and not without it', async () => {
      const post = (body: string): ReturnType<WebEntry['request']> =>
        web.request('/logout', { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, cookies: { [COOKIE_NAMES.session]: session }, body });

      const refused = await post('csrf=AAAA');
      const done = await post(`csrf=${csrfToken(web.keys, session)}`);

      expect(refused.status).toBe(403);
      expect(done.status).toBe(200);
      expect(done.setCookies.some((c) => c.startsWith(`${COOKIE_NAMES.session}=;`))).toBe(true);
      // What this browser opened last goes too, with the attributes it was set with, or the browser would keep it.
      expect(done.setCookies).toContain(`${RECENT_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
    });
  });

  it.each([
    ['POST', '/', 'GET'],
    ['POST', '/auth/callback', 'GET'],
    ['POST', '/auth/signin', 'GET'],
    ['PUT', '/prod-readonly', 'GET, POST'],
    ['DELETE', '/logout', 'GET, POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allowed) => {
    const answer = await web.request(path, { method, headers: TYPED, cookies: { [COOKIE_NAMES.session]: session } });

    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe(allowed);
  });
});
