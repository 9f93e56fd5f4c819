import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationUrl } from '../../lambda/core/destination';
import { HttpError } from '../../lambda/core/errors';
import { PARTITIONS } from '../../lambda/core/partition';
import { returnLocation } from '../../lambda/web/return-to';
import { launchBrowser } from '../support/browser';
import { startWebEntry, type WebEntry } from '../support/web-entry';

/** What an attacker puts together, and what browsers strip, rewrite or decode on the way. */
const PIECES = [
  '/', '//', '\\', '\t', '\n', '\r', '\r\n', ' ', '\u0000', '\u000b', '\u00a0', '\u2028', '\ufeff',
  '%09', '%0a', '%0D', '%00', '%20', '%5c', '%5C', '%2f', '%2F%2F', '%252f', '%E2%80%A8',
  '@', ':', '.', '..', '?', '#', 'evil.example', 'evil.example:443', 'https:', 'javascript:', 'prod-readonly',
];
const attempt = fc
  .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 })
  .chain((pieces) => fc.constantFrom(pieces.join(''), `/${pieces.join('')}`));
const KNOWN = ['/%09/evil.example/phish', '/\t/evil.example/phish', '/\\evil.example', '//evil.example', '/\r\nLocation: https://evil.example/', 'https://evil.example/', '/%5cevil.example'];

/** Where a browser goes for a Location header: the WHATWG URL parser strips tabs and newlines and reads `\` as `/`. */
function browserOrigin(location: string, base: string): string {
  return new URL(location, base).origin;
}

describe('after sign-in the broker sends the person only to its own origin', () => {
  let web: WebEntry;
  let browser: Browser;
  let brokerOrigin: string;

  beforeAll(async () => {
    // Hundreds of real sign-ins from one address within a minute: more than the token-exchange cap allows.
    web = await startWebEntry({ env: { OIDC_TOKEN_EXCHANGES_PER_MINUTE: '1000', OIDC_TOKEN_EXCHANGES_PER_SOURCE_PER_MINUTE: '1000' } });
    brokerOrigin = new URL(web.base).origin;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    await web.stop();
  });

  it('in Chromium, for the tab that browsers strip from /%09/evil.example', async () => {
    // Prepare
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.base}auth/signin?returnTo=${encodeURIComponent('/\t/evil.example/phish')}`);

    // Act
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', 'anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => !url.href.startsWith(web.provider.issuer));
    await page.waitForLoadState();

    // Assess
    expect(new URL(page.url()).origin).toBe(brokerOrigin);
    expect(await page.textContent('h1')).toBe('Open an AWS console');
    await context.close();
  });

  it.each(KNOWN)('for returnTo %j, through a real sign-in', async (returnTo) => {
    // Act
    const { callback } = await web.signIn('alice', `/auth/signin?returnTo=${encodeURIComponent(returnTo)}`);

    // Assess
    expect(callback.status).toBe(302);
    expect(browserOrigin(callback.location ?? '', web.base)).toBe(brokerOrigin);
  });

  it('for any returnTo an attacker can put together, through a real sign-in', async () => {
    await fc.assert(
      fc.asyncProperty(attempt, async (returnTo) => {
        const { callback } = await web.signIn('alice', `/auth/signin?returnTo=${encodeURIComponent(returnTo)}`);

        expect(callback.status).toBe(302);
        expect(browserOrigin(callback.location ?? '', web.base)).toBe(brokerOrigin);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('for any returnTo, in the broker’s own resolution, with no character a header or a browser would bend', () => {
    fc.assert(
      fc.property(attempt, fc.constantFrom(brokerOrigin, 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws'), (returnTo, origin) => {
        const location = returnLocation(returnTo, origin);

        expect(location).not.toMatch(/[\s\p{Cc}\\]/u);
        expect(browserOrigin(location, origin)).toBe(origin);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps a plain deep link', () => {
    expect(returnLocation('/prod-readonly?service=s3&region=eu-west-2', brokerOrigin)).toBe(`${brokerOrigin}/prod-readonly?service=s3&region=eu-west-2`);
  });
});

describe('a destination copied from a multi-session console', () => {
  const page = '/ec2/home?region=us-east-1#Instances:';

  it.each([
    ['https://123456789012-abcd1234.us-east-1.console.aws.amazon.com', 'https://us-east-1.console.aws.amazon.com'],
    ['https://000000000000-aaaaaaaa.eu-central-2.console.aws.amazon.com', 'https://eu-central-2.console.aws.amazon.com'],
    ['https://123456789012-ABCD1234.ap-southeast-7.console.aws.amazon.com', 'https://ap-southeast-7.console.aws.amazon.com'],
  ])('opens %s as its regional console page %s, same path and query', (origin, regional) => {
    expect(destinationUrl('aws', `${origin}${page}`, 'eu-west-1').toString()).toBe(`${regional}${page}`);
  });

  it('follows the partition: a China multi-session host maps to its regional console', () => {
    expect(destinationUrl('aws-cn', 'https://123456789012-abcd1234.cn-north-1.console.amazonaws.cn/s3/home', 'cn-north-1').origin).toBe('https://cn-north-1.console.amazonaws.cn');
  });

  it.each([
    ['an 11-digit account', 'https://12345678901-abcd1234.us-east-1.console.aws.amazon.com/'],
    ['a 13-digit account', 'https://1234567890123-abcd1234.us-east-1.console.aws.amazon.com/'],
    ['a 7-character ID', 'https://123456789012-abcd123.us-east-1.console.aws.amazon.com/'],
    ['a 9-character ID', 'https://123456789012-abcd12345.us-east-1.console.aws.amazon.com/'],
    ['an ID with a hyphen', 'https://123456789012-abcd-123.us-east-1.console.aws.amazon.com/'],
    ['an extra label before', 'https://evil.123456789012-abcd1234.us-east-1.console.aws.amazon.com/'],
    ['an extra label between', 'https://123456789012-abcd1234.evil.us-east-1.console.aws.amazon.com/'],
    ['no region', 'https://123456789012-abcd1234.console.aws.amazon.com/'],
    ['a region of another partition', 'https://123456789012-abcd1234.cn-north-1.console.aws.amazon.com/'],
    ['an ISO region', 'https://123456789012-abcd1234.us-iso-east-1.console.aws.amazon.com/'],
    ['another domain', 'https://123456789012-abcd1234.us-east-1.console.aws.amazon.com.evil.example/'],
    ['an encoded dot into another domain', 'https://123456789012-abcd1234.us-east-1.console.aws.amazon.com%2eevil.example/'],
    ['a look-alike domain', 'https://123456789012-abcd1234.us-east-1.console-aws.amazon.com/'],
    ['http', 'http://123456789012-abcd1234.us-east-1.console.aws.amazon.com/'],
    ['a port', 'https://123456789012-abcd1234.us-east-1.console.aws.amazon.com:8443/'],
    ['credentials', 'https://person@123456789012-abcd1234.us-east-1.console.aws.amazon.com/'],
  ])('refuses %s', (_, destination) => {
    expect(() => destinationUrl('aws', destination, 'eu-west-1')).toThrow(HttpError);
  });

  it('never leaves the partition’s console or regional console hosts, whatever the labels', () => {
    const label = fc.stringMatching(/^[a-z0-9%.-]{0,20}$/);
    fc.assert(
      fc.property(label, label, fc.constantFrom('us-east-1', 'eusc-de-east-1', 'us-iso-east-1', 'x'), (a, b, region) => {
        let url: URL;
        try {
          url = destinationUrl('aws', `https://${a}.${b}.${region}.console.aws.amazon.com/`, 'eu-west-1');
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          return;
        }
        expect(PARTITIONS.aws.regions.map((r) => `${r}.console.aws.amazon.com`).concat('console.aws.amazon.com')).toContain(url.hostname);
      }),
      { numRuns: 2000 },
    );
  });
});
