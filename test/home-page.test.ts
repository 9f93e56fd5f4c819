import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { personFromClaims } from '../lambda/core/people';
import type { Target } from '../lambda/core/registry';
import { MAX_RECENT, readRecent, recentCookie, RECENT_COOKIE } from '../lambda/web/recent-targets';
import { registryFor } from '../lib/broker-stack';
import { homePage, type HomeView } from '../lambda/web/web-pages';
import { testConfig } from './support/config';
import { customerFleet } from './support/customer-fleet';

const alice = personFromClaims({ sub: 'alice', email: 'alice@example.com', email_verified: true, groups: ['admins'] }, 'https://idp.example.com', 'groups');
const LOGIN_ORIGINS = ['https://signin.aws.amazon.com'];

function targetsOf(targets: readonly Record<string, unknown>[]): readonly Target[] {
  return registryFor(testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' }, targets })).targets;
}

function render(targets: readonly Record<string, unknown>[], view: Partial<HomeView> = {}): { body: string; csp: string } {
  const answer = homePage(alice, targetsOf(targets), 'aws', LOGIN_ORIGINS, 'csrf-token', { query: '', recent: [], ...view });
  return { body: answer.body ?? '', csp: String(answer.headers?.['content-security-policy']) };
}

/** The target names of the rows a browser shows, in page order, and the section headings shown. */
function shown(body: string): { rows: string[]; headings: string[] } {
  const sections = body.split('<section').slice(1).filter((section) => !section.startsWith(' class="targets" hidden'));
  return {
    rows: sections.flatMap((section) => [...section.matchAll(/<tr data-search="[^"]*"(?: class="prod")?>.*?<strong>([^<]+)<\/strong>/g)].map((m) => m[1] ?? '')),
    headings: sections.flatMap((section) => [...section.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1] ?? '')),
  };
}

const base = { accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly', allowedGroups: ['admins'] };

describe('the browser entry home page', () => {
  it('groups targets by their group, alphabetically, with ungrouped ones last', () => {
    const { body } = render([
      { ...base, name: 'zeta', group: 'Zeta Ltd' },
      { ...base, name: 'loose' },
      { ...base, name: 'acme-dev', group: 'Acme' },
      { ...base, name: 'acme-prod', group: 'Acme' },
    ]);

    expect(shown(body)).toEqual({ rows: ['acme-dev', 'acme-prod', 'zeta', 'loose'], headings: ['Acme', 'Zeta Ltd', 'Other targets'] });
  });

  it('escapes the description, group and environment wherever they appear', () => {
    const { body } = render([{ ...base, name: 'x', description: '<img src=x onerror=alert(1)>', group: '"><script>alert(2)</script>', environment: "it's&<b>" }]);

    expect(body).not.toMatch(/<img|<script>alert|<b>/);
    expect(body).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(body).toContain('<h2>&#34;&#62;&#60;script&#62;alert(2)&#60;/script&#62;</h2>');
    expect(body).toContain('data-search="x 222222222222 &#34;&#62;&#60;script&#62;alert(2)&#60;/script&#62; it&#39;s&#38;&#60;b&#62; &#60;img src=x onerror=alert(1)&#62;"');
  });

  it('filters with ?q= on the server: every word, case-insensitive, in name, account, group, environment or description', () => {
    const targets = customerFleet(12);

    expect(shown(render(targets, { query: 'GLOBEX prod' }).body).rows).toEqual(['globex-prod']);
    expect(shown(render(targets, { query: 'sandbox' }).body).rows).toEqual(['acme-corp-dev', 'globex-dev', 'initech-dev', 'umbrella-health-dev']);
    expect(shown(render(targets, { query: '300000000002' }).body).rows).toEqual(['globex-prod']);
    const none = render(targets, { query: 'nothing-like-this' }).body;
    expect(shown(none).rows).toEqual([]);
    expect(none).toContain('<span id="count">0 of 12 targets</span> · <a href="/">Show all</a>');
    expect(none).toContain('name="q" value="nothing-like-this"');
  });

  it('marks production targets and makes their Open button wait for a ticked box, which the entry then requires', () => {
    const { body } = render([
      { ...base, name: 'by-environment', environment: 'PROD' },
      { ...base, name: 'by-flag', environment: 'live', production: true },
      { ...base, name: 'flag-overrides', environment: 'production', production: false },
      { ...base, name: 'staging', environment: 'staging' },
    ]);
    const rowOf = (name: string): string => new RegExp(`<tr[^>]*>(?:(?!</tr>).)*<strong>${name}</strong>.*?</tr>`).exec(body)?.[0] ?? '';

    for (const name of ['by-environment', 'by-flag']) {
      expect(rowOf(name)).toContain('class="prod"');
      expect(rowOf(name)).toMatch(/<input type="checkbox" name="confirm" value="production" required aria-label="Confirm opening production target [a-z-]+">/);
    }
    for (const name of ['flag-overrides', 'staging']) expect(rowOf(name)).not.toMatch(/prod"|checkbox/);
  });

  it('puts what this browser opened last at the top, newest first, and only targets this person may open', () => {
    const targets = customerFleet(9);

    const { rows, headings } = shown(render(targets, { recent: ['initech-dev', 'someone-elses-target', 'acme-corp-prod'] }).body);

    expect(rows.slice(0, 2)).toEqual(['initech-dev', 'acme-corp-prod']);
    expect(headings[0]).toBe('Opened last');
    expect(rows.filter((name) => name === 'initech-dev')).toHaveLength(1);
    expect(render(targets, { recent: ['someone-elses-target'] }).body).not.toContain('someone-elses-target');
  });

  it('admits its one inline script by hash and nothing else', () => {
    const { body, csp } = render(customerFleet(3));
    const script = /<script>(.*)<\/script>/s.exec(body)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');

    expect(body.match(/<script/g)).toHaveLength(1);
    expect(csp).toBe(
      `default-src 'none'; style-src ${/style-src ([^;]+);/.exec(csp)?.[1] ?? ''}; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'self' https://signin.aws.amazon.com; frame-ancestors 'none'`,
    );
    expect(body).not.toMatch(/ on[a-z]+=/);
  });

  it('stays a few hundred kilobytes at 300 targets', () => {
    expect(Buffer.byteLength(render(customerFleet(300)).body)).toBeLessThan(1_000_000);
  });
});

describe('the opened-last cookie', () => {
  const cookieOf = (line: string): string[] => [line.split(';')[0] ?? ''];

  it('is a __Host- cookie scripts cannot read, sent on top-level navigation, holding target names only', () => {
    expect(recentCookie(undefined, 'acme-prod')).toBe(`${RECENT_COOKIE}=acme-prod; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=7776000`);
  });

  it('keeps the newest first, once each, at most MAX_RECENT', () => {
    let cookie = recentCookie(undefined, 'a');
    for (const name of ['b', 'c', 'a', 'd', 'e', 'f', 'g']) cookie = recentCookie(cookieOf(cookie), name);

    expect(readRecent(cookieOf(cookie))).toEqual(['g', 'f', 'e', 'd', 'a'].slice(0, MAX_RECENT));
  });

  it('ignores anything in it that is not a target name', () => {
    expect(readRecent([`${RECENT_COOKIE}=ok.<script>.${'x'.repeat(65)}..UPPER.fine-2`])).toEqual(['ok', 'fine-2']);
  });
});
