import { hkdfSync } from 'node:crypto';
import { EncryptJWT, errors, jwtDecrypt, type JWTPayload } from 'jose';

/** What a cookie is for; each purpose has its own key, so one cannot stand in for the other. */
export type CookiePurpose = 'session' | 'signin';

export const COOKIE_NAMES: Readonly<Record<CookiePurpose, string>> = {
  session: '__Host-console-broker',
  signin: '__Host-console-broker-signin',
};

const ISSUER = 'console-broker';

/** A key for each cookie, and one for the form tokens bound to a session (lambda/web/csrf.ts). */
export type CookieKeys = Readonly<Record<CookiePurpose | 'csrf', Uint8Array>>;

/** One 256-bit key per purpose, derived from the session key secret with HKDF. */
export function cookieKeys(secret: string): CookieKeys {
  const derive = (purpose: CookiePurpose | 'csrf'): Uint8Array =>
    new Uint8Array(hkdfSync('sha256', secret, 'console-broker cookies', purpose, 32));
  return { session: derive('session'), signin: derive('signin'), csrf: derive('csrf') };
}

/** Seals a value in an encrypted, authenticated JWT (dir + A256GCM): unreadable and tamper-evident. */
export async function seal(payload: JWTPayload, key: Uint8Array, purpose: CookiePurpose, ttlSeconds: number): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuer(ISSUER)
    .setAudience(purpose)
    .setIssuedAt()
    .setExpirationTime(`${String(ttlSeconds)}s`)
    .encrypt(key);
}

export type Unsealed = { readonly ok: true; readonly payload: JWTPayload } | { readonly ok: false; readonly reason: 'expired' | 'invalid' };

export async function unseal(token: string, key: Uint8Array, purpose: CookiePurpose): Promise<Unsealed> {
  try {
    const { payload } = await jwtDecrypt(token, key, { issuer: ISSUER, audience: purpose, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/** Opens a cookie with the first of `keys` that sealed it: the current session key, then the previous one. */
export async function unsealWithAny(token: string, keys: readonly CookieKeys[], purpose: CookiePurpose): Promise<Unsealed> {
  let result: Unsealed = { ok: false, reason: 'invalid' };
  for (const key of keys) {
    result = await unseal(token, key[purpose], purpose);
    // Only the right key can tell that a cookie expired; any other key finds it invalid.
    if (result.ok || result.reason === 'expired') return result;
  }
  return result;
}

/** A cookie's value from the request's cookies (a function URL event lists them one per entry). */
export function readCookie(cookies: readonly string[] | undefined, name: string): string | undefined {
  for (const cookie of cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === name) return cookie.slice(eq + 1).trim();
  }
  return undefined;
}

// Browsers keep a cookie of at least 4096 bytes counting name, value and attributes, and may drop a
// larger one (RFC 6265, section 6.1): https://www.rfc-editor.org/rfc/rfc6265#section-6.1
export const MAX_COOKIE_BYTES = 4096;

/** A `__Host-` cookie: Secure, host-only, whole site, not readable by scripts, sent on top-level navigation. */
export function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${String(maxAgeSeconds)}`;
}
