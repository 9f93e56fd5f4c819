import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SIGNIN_ORIGIN_VARIABLE } from '../../cli/client';
import { oneTimeRedirect } from '../../cli/one-time-redirect';
import { SANDBOX_CALLERS, startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { cli } from '../support/cli';

// Threat: `console-broker login` handed the login URL, sign-in token and all, to the system opener and
// the browser as an argument, so any local user could read it from the process list (ps, /proc) for
// the token's 15 minutes and open the console as the person who ran it.

const alice = {
  AWS_ACCESS_KEY_ID: SANDBOX_CALLERS.allowed.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SANDBOX_CALLERS.allowed.credentials.secretAccessKey,
};

/** Fetches without following a redirect; a closed port is `refused`. */
async function get(url: string): Promise<{ status: number; location: string | null } | 'refused'> {
  try {
    const response = await fetch(url, { redirect: 'manual' });
    await response.text();
    return { status: response.status, location: response.headers.get('location') };
  } catch {
    return 'refused';
  }
}

async function waitFor(file: string, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(file) || readFileSync(file, 'utf8') === '') {
    if (Date.now() > until) throw new Error(`the opener was not run within ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return readFileSync(file, 'utf8');
}

describe('console-broker login keeps the sign-in token out of every process’s arguments', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ browserEntry: false });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('hands the opener a one-time redirect on 127.0.0.1, which answers one 302 to the login URL and then nothing', async () => {
    // Prepare: `open` runs xdg-open, which with no desktop runs $BROWSER with the address (xdg-utils, open_envvar).
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-opener-'));
    const recorded = path.join(dir, 'argv');
    const opener = path.join(dir, 'browser');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$@" > '${recorded}.partial' && mv '${recorded}.partial' '${recorded}'\n`);
    chmodSync(opener, 0o755);

    // Act
    const run = cli(['login', 'prod-readonly', '--url', sandbox.url], { ...alice, [LOCAL_SIGNIN_ORIGIN_VARIABLE]: new URL(sandbox.aws.federationUrl).origin, BROWSER: opener });
    const argv = await waitFor(recorded, 15_000);
    const address = argv.trim();
    const elsewhere = await get(new URL('/another-path', address).href);
    const first = await get(address);
    const second = await get(address);
    const { code, stderr } = await run;

    // Assess
    expect(argv).not.toContain('SigninToken');
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{43}$/);
    expect(elsewhere).toMatchObject({ status: 404 });
    expect(first).toMatchObject({ status: 302 });
    const login = new URL(first === 'refused' ? '' : (first.location ?? ''));
    expect(login.origin).toBe(new URL(sandbox.aws.federationUrl).origin);
    expect(login.searchParams.get('Action')).toBe('login');
    expect(login.searchParams.get('SigninToken')).toBeTruthy();
    expect(second === 'refused' || second.status === 404).toBe(true);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^Opened prod-readonly /);
  });

  it('still prints the login URL with --print, for those who ask for it', async () => {
    const { code, stdout } = await cli(['login', 'prod-readonly', '--url', sandbox.url, '--print'], { ...alice, [LOCAL_SIGNIN_ORIGIN_VARIABLE]: new URL(sandbox.aws.federationUrl).origin });

    expect(code).toBe(0);
    expect(new URL(stdout.trim()).searchParams.get('SigninToken')).toBeTruthy();
  });
});

describe('the one-time redirect', () => {
  it('closes unused when nobody asks in time', async () => {
    const redirect = await oneTimeRedirect('https://signin.aws.amazon.com/federation', 100);

    expect(await redirect.served).toBe(false);
    expect(await get(redirect.url)).toBe('refused');
  });
});
