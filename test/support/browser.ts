import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The devDependency that ships a headless Chromium for Linux x64 inside its npm tarball, brotli-compressed. */
const CHROMIUM_PACKAGE = path.join(__dirname, '..', '..', 'node_modules', '@sparticuz', 'chromium');

/**
 * The Chromium binary, decompressed once per package version into node_modules/.cache. Not the package's
 * own executablePath(): that always writes /tmp/chromium, which outlives an upgrade and races between
 * test workers.
 */
async function chromiumPath(): Promise<string> {
  const { version } = JSON.parse(readFileSync(path.join(CHROMIUM_PACKAGE, 'package.json'), 'utf8')) as { version: string };
  const dir = path.join(CHROMIUM_PACKAGE, '..', '..', '.cache', `chromium-${version}`);
  const executable = path.join(dir, 'chromium');
  if (existsSync(executable)) return executable;
  mkdirSync(dir, { recursive: true });
  // Workers of one run, or two runs, may get here together: each writes its own file, and rename is atomic.
  const partial = `${executable}.${randomUUID()}`;
  await pipeline(createReadStream(path.join(CHROMIUM_PACKAGE, 'bin', 'chromium.br')), createBrotliDecompress(), createWriteStream(partial, { mode: 0o755 }));
  renameSync(partial, executable);
  return executable;
}

/** Headless Chromium for the browser tests, as root on a machine with no display and no network beyond 127.0.0.1. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Signs `user` in to the browser entry at `base` on the test provider's own pages (any password), and waits for the home page. */
export async function signInToHomePage(page: Page, base: string, user = 'alice'): Promise<void> {
  await page.goto(base);
  await page.fill('input[name="login"]', user);
  await page.fill('input[name="password"]', 'anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Open an AWS console' }).waitFor();
}
