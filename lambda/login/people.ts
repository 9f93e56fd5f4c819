import type { Target } from './registry';

/** A person the company's OpenID provider signed in, as the session cookie remembers them. */
export interface Person {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly groups: readonly string[];
}

export function personFromClaims(claims: Record<string, unknown>, issuer: string, groupsClaim: string): Person {
  const groups = claims[groupsClaim];
  return {
    issuer,
    subject: String(claims.sub),
    email: typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined,
    emailVerified: claims.email_verified === true,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
  };
}

/** The name the person goes by: the e-mail address, else the provider's subject. */
export function personName(person: Person): string {
  return person.email ?? person.subject;
}

/** A target is open to a person by verified e-mail address or by one of their groups. */
export function personMayOpen(target: Target, person: Person): boolean {
  const byEmail = person.emailVerified && person.email !== undefined && target.allowedEmails.includes(person.email);
  return byEmail || person.groups.some((group) => target.allowedGroups.includes(group));
}
