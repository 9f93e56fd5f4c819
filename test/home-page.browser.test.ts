import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personFromClaims } from '../lambda/core/people';
import { homePage } from '../lambda/web/web-pages';
import { registryFor } from '../lib/broker-stack';
import { launchBrowser, signInToHomePage } from './support/browser';
import { testConfig } from './support/config';
import { customerFleet } from './support/customer-fleet';
import { MULTI_SESSION_COOKIE } from './fakes/aws';
import { startWebEntry, type WebEntry } from './support/web-entry';

/** Where the screenshots go, to look at; the README's is docs/home-page-50.png, copied from here. */
const SCREENSHOTS = process.env.CONSOLE_BROKER_SCREENSHOTS ?? path.join(tmpdir(), 'console-broker-home-page');
const VIEWPORT = { width: 1100, height: 1000 };
const FLEET = customerFleet(50);

describe('the home page at 50 targets, in Chromium', () => {
  let web: WebEntry;
  let browser: Browser;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    web = await startWebEntry({ targets: FLEET });
    for (const name of ['acme-corp-prod', 'globex-dev']) {
      const target = FLEET.find((t) => t.name === name) ?? {};
      web.aws.roles.set(`arn:aws:iam::${String(target.accountId)}:role/${String(target.roleName)}`, { externalId: `externalIdOf-${name}-0123456789` });
      web.aws.secrets.set(`console-broker/external-id/${name}`, `externalIdOf-${name}-0123456789`);
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    await web.stop();
  });

  /** A browser context signed in as alice at the provider's own pages, on the home page. */
  async function signedIn(options: { javaScriptEnabled: boolean }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: VIEWPORT, ...options });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    await signInToHomePage(page, web.base);
    return { context, page };
  }

  const shownRows = (page: Page): Promise<string[]> => page.locator('tr[data-search]:visible strong').allTextContents();

  it('groups 50 targets by customer and marks production', async () => {
    const { context, page } = await signedIn({ javaScriptEnabled: true });

    expect(await shownRows(page)).toHaveLength(50);
    expect(await page.locator('h2').allTextContents()).toEqual([...new Set(FLEET.map((t) => String(t.group)))].sort((a, b) => a.localeCompare(b)));
    expect(await page.locator('tr.prod strong').count()).toBe(FLEET.filter((t) => t.environment === 'prod').length);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-page-50.png') });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-page-50-full.png'), fullPage: true });
    await context.close();
  });

  it('filters as the person types, with the script the CSP admits by its hash', async () => {
    const { context, page } = await signedIn({ javaScriptEnabled: true });

    await page.getByRole('searchbox', { name: 'Filter targets' }).pressSequentially('globex');
    expect(await shownRows(page)).toEqual(['globex-dev', 'globex-prod', 'globex-staging']);
    await page.getByRole('searchbox', { name: 'Filter targets' }).pressSequentially(' sandbox');
    expect(await shownRows(page)).toEqual(['globex-dev']);
    expect(await page.locator('h2:visible').allTextContents()).toEqual(['Globex']);
    expect(await page.locator('#count').textContent()).toBe('1 of 50 targets');
    expect(page.url()).toBe(web.base);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('filters with the plain form when scripts are off', async () => {
    const { context, page } = await signedIn({ javaScriptEnabled: false });

    await page.getByRole('searchbox', { name: 'Filter targets' }).fill('INITECH prod');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(`${web.base}?q=INITECH+prod`);

    expect(await shownRows(page)).toEqual(['initech-prod']);
    expect(await page.locator('#count').textContent()).toBe('1 of 50 targets');
    await context.close();
  });

  it('opens a production target only after its box is ticked, and then lists it first', async () => {
    const { context, page } = await signedIn({ javaScriptEnabled: true });
    // It opens two accounts one after the other, which a browser without multi-session would refuse.
    await context.addCookies([{ name: MULTI_SESSION_COOKIE, value: 'on', url: web.aws.regionalConsoleUrl }]);
    const row = page.locator('tr', { has: page.getByText('acme-corp-prod', { exact: true }) });

    await row.getByRole('button', { name: 'Open console' }).click();
    expect(await row.locator('input[type="checkbox"]:invalid').count()).toBe(1);
    expect(page.url()).toBe(web.base);
    await row.getByRole('checkbox', { name: 'Confirm opening production target acme-corp-prod' }).check();
    const ticked = page.waitForRequest((request) => request.url().startsWith(`${web.base}acme-corp-prod?`));
    await row.getByRole('button', { name: 'Open console' }).click();
    expect(new URL((await ticked).url()).searchParams.get('confirm')).toBe('production');
    await page.waitForURL(`${web.aws.regionalConsoleUrl}/console`);
    expect(await page.locator('dd[data-field="account"]').textContent()).toBe('300000000000');

    // The same target from an address typed or handed over: the confirmation page, marked Production, then its button.
    await page.goto(`${web.base}acme-corp-prod`);
    await page.getByRole('heading', { name: 'Open this AWS console?' }).waitFor();
    expect(await page.locator('tr', { has: page.getByRole('rowheader', { name: 'Production' }) }).count()).toBe(1);
    await page.getByRole('button', { name: 'Open console' }).click();
    await page.waitForURL(`${web.aws.regionalConsoleUrl}/console`);

    await page.goto(`${web.base}globex-dev`);
    await page.waitForURL(`${web.aws.regionalConsoleUrl}/console`);
    await page.goto(web.base);
    expect(await page.locator('h2').first().textContent()).toBe('Opened last');
    expect((await shownRows(page)).slice(0, 2)).toEqual(['globex-dev', 'acme-corp-prod']);
    const recent = (await context.cookies(web.base)).find((cookie) => cookie.name === '__Host-console-broker-recent');
    expect(recent).toMatchObject({ value: 'globex-dev.acme-corp-prod', httpOnly: true, sameSite: 'Lax', secure: true });
    await context.close();
  });

  it('forgets what this browser opened last on sign-out', async () => {
    const { context, page } = await signedIn({ javaScriptEnabled: false });
    await page.goto(`${web.base}globex-dev`);
    await page.waitForURL(`${web.aws.regionalConsoleUrl}/console`);
    await page.goto(web.base);
    const names = async (): Promise<string[]> => (await context.cookies(web.base)).map((cookie) => cookie.name);
    expect(await names()).toContain('__Host-console-broker-recent');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();

    expect(await names()).not.toContain('__Host-console-broker-recent');
    await context.close();
  });

  it.each([5, 300])('renders %i targets for a look', async (count) => {
    const fleet = customerFleet(count);
    const targets = registryFor(testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' }, targets: fleet })).targets;
    const alice = personFromClaims({ sub: 'alice', email: 'alice@example.com', email_verified: true }, 'https://idp.example.com', 'groups');
    const answer = homePage(alice, targets, 'aws', [], 'csrf-token', { query: '', recent: [] });
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    // The page as the entry answers it, CSP included, at an address of its own.
    await page.route('http://home-page.test/', (route) =>
      route.fulfill({ status: 200, headers: Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k, String(v)])), body: answer.body ?? '' }),
    );
    await page.goto('http://home-page.test/');

    expect(await shownRows(page)).toHaveLength(count);
    await page.screenshot({ path: path.join(SCREENSHOTS, `home-page-${String(count)}.png`), fullPage: count <= 50 });
    await context.close();
  });
});
