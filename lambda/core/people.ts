import { escapeName, fitForSts } from './identity';
import type { Target } from './registry';

/** A person the company's OpenID provider signed in, as the session cookie remembers them. */
export interface Person {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly groups: readonly string[];
}

/**
 * Lower-cases A-Z only: toLowerCase() also folds letters such as the Kelvin sign (U+212A) into ASCII
 * `k`, so a provider's `\u212Aate@` would become `kate@`.
 */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

export function personFromClaims(claims: Record<string, unknown>, issuer: string, groupsClaim: string): Person {
  const groups = claims[groupsClaim];
  return {
    issuer,
    subject: String(claims.sub),
    email: typeof claims.email === 'string' ? asciiLowerCase(claims.email) : undefined,
    emailVerified: claims.email_verified === true,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
  };
}

/**
 * The person's RoleSessionName and SourceIdentity, valid for STS: the e-mail address only when the
 * provider verified it (anyone can claim an unverified one), else `oidc=<issuer>+<subject>`.
 */
export function personName(person: Person): string {
  if (person.emailVerified && person.email !== undefined) return fitForSts(escapeName(person.email));
  // Issuers are https URLs (OpenID Connect Discovery 1.0, section 3), so the scheme is left out; any
  // other issuer (local tests) keeps it under its own tag, and the two forms cannot meet.
  const https = person.issuer.startsWith('https://');
  const issuer = escapeName(https ? person.issuer.slice('https://'.length) : person.issuer);
  return fitForSts(`${https ? 'oidc' : 'oidc-issuer'}=${issuer}+${escapeName(person.subject)}`);
}

/** A target is open to a person by verified e-mail address or by one of their groups. */
export function personMayOpen(target: Target, person: Person): boolean {
  const byEmail = person.emailVerified && person.email !== undefined && target.allowedEmails.includes(person.email);
  return byEmail || person.groups.some((group) => target.allowedGroups.includes(group));
}
