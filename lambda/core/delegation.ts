import { badRequest } from './errors';
import { asciiLowerCase, personMayOpen, personName, type Person } from './people';
import { AMBIGUOUS_CHARACTER, codePointName } from './reason';
import { matchesPattern, type Delegator, type Registry, type Target } from './registry';

/**
 * A bot that acts for a person: the IAM entry's caller is the bot, and a configured delegator may name
 * the person (by e-mail address) and the groups it vouches they are in. The broker then authorizes
 * the person by the target's people rules and names the session after them, as the browser entry
 * would. The e-mail is taken as verified only because the configuration trusts that bot.
 */

/** The query parameters that name the person and their groups; only the IAM entry reads them. */
export const PERSON_PARAMETER = 'for';
export const GROUPS_PARAMETER = 'groups';

/** Whom a bot says it acts for. */
export interface OnBehalf {
  /** Lowercased in A-Z only, as allowedEmails and the OpenID provider's addresses are (people.ts). */
  readonly email: string;
  readonly groups: readonly string[];
}

// An address is at most 254 octets and its local part at most 64: a path is at most 256 octets with
// its angle brackets (RFC 5321, section 4.5.3.1, https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1).
const MAX_EMAIL_BYTES = 254;
const MAX_LOCAL_BYTES = 64;
// Bounds the work a request can ask for; a person in more groups names only those the target admits.
const MAX_GROUPS = 50;
const MAX_GROUP_LENGTH = 256;

/** An e-mail address as a bot names it, or a 400 that says what is wrong. */
export function parsePersonEmail(value: string): string {
  const bad = AMBIGUOUS_CHARACTER.exec(value) ?? /\s/u.exec(value);
  if (bad) throw badRequest(`${PERSON_PARAMETER} holds the character ${codePointName(bad[0])}; give the person's e-mail address alone`);
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_EMAIL_BYTES) throw badRequest(`${PERSON_PARAMETER} is ${String(bytes)} bytes long; an e-mail address has at most ${String(MAX_EMAIL_BYTES)}`);
  const parts = value.split('@');
  const [local = '', domain = ''] = parts;
  if (parts.length !== 2 || local === '' || Buffer.byteLength(local) > MAX_LOCAL_BYTES || !/^[^.]+(\.[^.]+)*$/u.test(domain)) {
    throw badRequest(`${PERSON_PARAMETER} must be the e-mail address of the person the bot acts for, such as alice@example.com`);
  }
  return asciiLowerCase(value);
}

/** The `groups` parameter: comma-separated group names, none empty. */
export function parseGroups(value: string | undefined): string[] {
  if (value === undefined) return [];
  const groups = value.split(',');
  if (groups.length > MAX_GROUPS) throw badRequest(`${GROUPS_PARAMETER} names ${String(groups.length)} groups; name at most ${String(MAX_GROUPS)}, those the target admits`);
  for (const group of groups) {
    if (group === '' || group.length > MAX_GROUP_LENGTH || AMBIGUOUS_CHARACTER.test(group)) {
      throw badRequest(`${GROUPS_PARAMETER} must be group names separated by commas, each 1-${String(MAX_GROUP_LENGTH)} characters of plain text`);
    }
  }
  return [...new Set(groups)];
}

/** The person a request names, from its `for` and `groups` values, or undefined when it names none. */
export function parseOnBehalf(email: string | undefined, groups: string | undefined): OnBehalf | undefined {
  if (email === undefined) {
    if (groups !== undefined) throw badRequest(`${GROUPS_PARAMETER} needs ${PERSON_PARAMETER}: name the person the groups belong to`);
    return undefined;
  }
  return { email: parsePersonEmail(email), groups: parseGroups(groups) };
}

/** The delegator entries, the registry's and the target's own, that admit this caller. */
function delegatorsFor(registry: Registry, target: Target, callerArn: string): Delegator[] {
  return [...(registry.delegators ?? []), ...(target.allowedDelegators ?? [])].filter((d) => matchesPattern(d.principal, callerArn));
}

/** True when this caller is a delegator of this target: it may name people there. */
export function isDelegator(registry: Registry, target: Target, callerArn: string): boolean {
  return delegatorsFor(registry, target, callerArn).length > 0;
}

/** The person as the people rules and personName see them: the e-mail counts as verified because the bot is trusted. */
function personOf(onBehalf: OnBehalf, botArn: string): Person {
  return { issuer: botArn, subject: onBehalf.email, email: onBehalf.email, emailVerified: true, groups: onBehalf.groups };
}

/**
 * Why this bot may not open this target for this person, or undefined when it may: it must be a
 * delegator of the target, vouch only for groups that its entries list, and the person must be one
 * the target's allowedEmails or allowedGroups admit.
 */
export function delegationRefusal(registry: Registry, target: Target, botArn: string, onBehalf: OnBehalf): string | undefined {
  const delegators = delegatorsFor(registry, target, botArn);
  if (delegators.length === 0) {
    return `${botArn} may not act for a person on target "${target.name}": it is not among the target's or the registry's allowedDelegators`;
  }
  const unvouched = onBehalf.groups.find((group) => !delegators.some((d) => d.groups.includes(group)));
  if (unvouched !== undefined) return `${botArn} may not vouch for group "${unvouched.slice(0, 64)}" on target "${target.name}"`;
  if (!personMayOpen(target, personOf(onBehalf, botArn))) return `${onBehalf.email} is not allowed to open target "${target.name}"`;
  return undefined;
}

/** RoleSessionName and SourceIdentity of the person: the same as the browser entry gives their verified e-mail. */
export function delegatedSessionName(onBehalf: OnBehalf, botArn: string): string {
  return personName(personOf(onBehalf, botArn));
}
