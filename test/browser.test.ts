import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SIGNIN_ORIGIN_VARIABLE } from '../cli/client';
import { SANDBOX_CALLERS, startSandbox, type Sandbox } from '../sandbox/sandbox';
import { cli } from './support/cli';
import { launchBrowser } from './support/browser';

/** The login URL the CLI prints, as a person would copy it into a browser. */
async function printedLoginUrl(sandbox: Sandbox, extra: string[]): Promise<string> {
  const { code, stdout, stderr } = await cli(['login', 'prod-readonly', '--url', sandbox.url, '--print', ...extra], {
    AWS_ACCESS_KEY_ID: SANDBOX_CALLERS.allowed.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CALLERS.allowed.credentials.secretAccessKey,
    // The sandbox's federation endpoint stands in for AWS's sign-in host, on this machine only.
    [LOCAL_SIGNIN_ORIGIN_VARIABLE]: new URL(sandbox.aws.federationUrl).origin,
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

  async function open(url: string): Promise<Record<string, string>> {
    const page = await browser.newPage();
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

  it('signs out of the current console session first when asked', async () => {
    const fields = await open(await printedLoginUrl(sandbox, ['--logout', '--destination', '/s3/buckets']));

    expect(fields).toMatchObject({ service: 's3', region: 'eu-west-1', destination: 'https://console.aws.amazon.com/s3/buckets?region=eu-west-1' });
  });
});
