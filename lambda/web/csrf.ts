import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieKeys } from './cookies';

/**
 * The token a broker form carries to prove that the broker served it to this session: an HMAC of the
 * sealed session cookie, which another site can neither read nor compute.
 */
export function csrfToken(keys: CookieKeys, sessionCookie: string): string {
  return createHmac('sha256', keys.csrf).update(sessionCookie).digest('base64url');
}

/** Compares in constant time, under each key the session cookie may have been opened with. */
export function csrfTokenMatches(keyRing: readonly CookieKeys[], sessionCookie: string, given: string): boolean {
  const presented = Buffer.from(given);
  return keyRing.some((keys) => {
    const expected = Buffer.from(csrfToken(keys, sessionCookie));
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
}
