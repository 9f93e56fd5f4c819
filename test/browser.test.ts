import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SIGNIN_ORIGIN_VARIABLE } from '../cli/client';
import { SANDBOX_CALLERS, startSandbox, type Sandbox } from '../sandbox/sandbox';
import { MULTI_SESSION_COOKIE } from './fakes/aws';
import { cli } from './support/cli';
import { launchBrowser } from './support/browser';

/** The login URL the CLI prints, as a person would copy it into a browser. */
async function printedLoginUrl(sandbox: Sandbox, extra: string[], target = 'prod-readonly'): Promise<string> {
  const { code, stdout, stderr } = await cli(['login', target, '--url', sandbox.url, '--print', ...extra], {
    AWS_ACCESS_KEY_ID: SANDBOX_CALLERS.allowed.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CALLERS.allowed.credentials.secretAccessKey,
    // The sandbox's federation endpoints stand in for AWS's sign-in hosts, on this machine only.
    [LOCAL_SIGNIN_ORIGIN_VARIABLE]: sandbox.aws.signinOrigins(),
  });
  if (code !== 0) throw new Error(`the CLI failed: ${stderr}`);
  return stdout.trim();
}

describe('a real browser opens the login URL the CLI printed', () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    // These need only the IAM entry; the browser entry would synthesize the broker stack once more.
    sandbox = await startSandbox({ browserEntry: false });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    await sandbox.stop();
  });

  /** Opens `url` in a browser of its own, or in `context`, a browser that may already hold console sessions. */
  async function open(url: string, context?: BrowserContext): Promise<Record<string, string>> {
    const page = context ? await context.newPage() : await browser.newPage();
    await page.goto(url);
    await page.waitForURL(`${sandbox.aws.regionalConsoleUrl}/console`);
    const items = page.locator('dd[data-field]');
    const fields: [string, string][] = [];
    for (let i = 0; i < (await items.count()); i++) {
      fields.push([(await items.nth(i).getAttribute('data-field')) ?? '', (await items.nth(i).textContent()) ?? '']);
    }
    await page.screenshot({ path: path.join(tmpdir(), `console-broker-${String(Date.now())}.png`) });
    await page.close();
    return Object.fromEntries(fields);
  }

  it('lands on the console signed in to the right account and role', async () => {
    const fields = await open(await printedLoginUrl(sandbox, []));

    expect(fields).toMatchObject({ account: '222222222222', role: 'ConsoleBrokerReadOnly', session: 'alice@example.com', region: 'eu-west-1' });
  });

  it('follows a deep link to the service in the requested region', async () => {
    const fields = await open(await printedLoginUrl(sandbox, ['--service', 'ec2', '--region', 'eu-central-1']));

    expect(fields).toMatchObject({ account: '222222222222', service: 'ec2', region: 'eu-central-1' });
  });

  it('signs out of the current console session first when asked, replacing it in a browser without multi-session', async () => {
    // Prepare
    const context = await browser.newContext();
    await open(await printedLoginUrl(sandbox, [], 'customer-acme'), context);

    // Act
    const fields = await open(await printedLoginUrl(sandbox, ['--logout', '--destination', '/s3/buckets']), context);

    // Assess
    expect(fields).toMatchObject({ account: '222222222222', service: 's3', region: 'eu-west-1', destination: 'https://console.aws.amazon.com/s3/buckets?region=eu-west-1', sessions: '1' });
    await context.close();
  });

  describe('in a browser with multi-session on', () => {
    async function multiSessionBrowser(): Promise<BrowserContext> {
      const context = await browser.newContext();
      await context.addCookies([{ name: MULTI_SESSION_COOKIE, value: 'on', url: sandbox.aws.regionalConsoleUrl }]);
      return context;
    }

    it('adds a session with a plain login, keeping the one it holds', async () => {
      // Prepare
      const context = await multiSessionBrowser();
      await open(await printedLoginUrl(sandbox, [], 'customer-acme'), context);

      // Act
      const fields = await open(await printedLoginUrl(sandbox, []), context);

      // Assess
      expect(fields).toMatchObject({ account: '222222222222', role: 'ConsoleBrokerReadOnly', sessions: '2' });
      await context.close();
    });

    it('cannot sign out first, as AWS answers that sign-out with 400', async () => {
      // Prepare
      const context = await multiSessionBrowser();
      const page = await context.newPage();

      // Act
      const response = await page.goto(await printedLoginUrl(sandbox, ['--logout']));

      // Assess
      expect(response?.status()).toBe(400);
      await context.close();
    });
  });
});
