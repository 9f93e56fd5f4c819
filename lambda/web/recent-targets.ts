import { readCookie, setCookie } from './cookies';

/**
 * What this browser opened last, newest first, so the home page can put it at the top. Target names
 * only, which the page shows this person anyway: nothing secret, so the cookie is plain, and the page
 * shows only names this person may open, whatever the cookie says.
 */
export const RECENT_COOKIE = '__Host-console-broker-recent';
export const MAX_RECENT = 5;
const RECENT_DAYS = 90;
// Target names are lowercase letters, digits and hyphens (lib/config.ts), so a dot separates them.
const NAME = /^[a-z0-9-]{1,64}$/;

/** The names the cookie holds, newest first; anything that is not a target name is left out. */
export function readRecent(cookies: readonly string[] | undefined): string[] {
  const names = (readCookie(cookies, RECENT_COOKIE) ?? '').split('.').filter((name) => NAME.test(name));
  return [...new Set(names)].slice(0, MAX_RECENT);
}

/** The cookie after opening `target`: it first, then the others, at most MAX_RECENT. */
export function recentCookie(cookies: readonly string[] | undefined, target: string): string {
  const names = [target, ...readRecent(cookies).filter((name) => name !== target)].slice(0, MAX_RECENT);
  return setCookie(RECENT_COOKIE, names.join('.'), RECENT_DAYS * 24 * 60 * 60);
}

/** Deletes the cookie: the same name and attributes, expired (RFC 6265, section 5.3, step 11: https://www.rfc-editor.org/rfc/rfc6265#section-5.3). */
export function clearRecentCookie(): string {
  return setCookie(RECENT_COOKIE, '', 0);
}
