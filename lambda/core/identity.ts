import { createHash } from 'node:crypto';

// RoleSessionName and SourceIdentity: 2-64 characters of [\w+=,.@-].
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const MIN_LENGTH = 2;
const MAX_LENGTH = 64;
// Exact identities hold a comma only before two upper-case hex digits, so ",h" marks a shortened one.
const HASH_MARK = ',h';
const HASH_LENGTH = 16;
const PLAIN = /^[A-Za-z0-9_.@-]$/;

// IAM Identity Center names its roles AWSReservedSSO_<permission set>_<16 hex> and sets the session name
// to the user's name itself. https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_[\w+=,.@-]+_[0-9a-f]{16}$/;

/** UTF-8 bytes of one code point; a lone surrogate is encoded like any other code point, so no two strings share bytes. */
function utf8(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint < 0x10000) return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  return [0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 0x3f), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
}

/**
 * One part of an identity, with every character but letters, digits and `_.@-` written as `,XX` per
 * UTF-8 byte: the result holds no `+` or `=`, which separate the parts, and distinct names stay distinct.
 */
export function escapeName(name: string): string {
  let escaped = '';
  for (const char of name) {
    escaped += PLAIN.test(char)
      ? char
      : utf8(char.codePointAt(0) ?? 0)
          .map((byte) => `,${byte.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
  }
  return escaped;
}

/**
 * Makes an exact identity fit STS: kept whole when it has 2-64 characters, otherwise a readable prefix,
 * `,h` and 16 hex digits of its SHA-256, which no exact identity can look like.
 */
export function fitForSts(exact: string): string {
  if (exact.length >= MIN_LENGTH && exact.length <= MAX_LENGTH) return exact;
  const hash = createHash('sha256').update(exact).digest('hex').slice(0, HASH_LENGTH);
  return `${exact.slice(0, MAX_LENGTH - HASH_MARK.length - HASH_LENGTH)}${HASH_MARK}${hash}`;
}

/**
 * The exact identity of an IAM principal ARN, before it is fit for STS. A session name is only as
 * trustworthy as whoever chose it, so only IAM Identity Center's stands alone; every other form names
 * the role or the kind of principal, and the account:
 *
 * - IAM Identity Center session: `alice@example.com` (no `+`, no `=`)
 * - any other role session: `<role>+<session>+<account>` (`+`, no `=`)
 * - IAM user, federated user, root: `user=<name>+<account>`, `federated-user=<name>+<account>`, `root=<account>`
 * - anything else: `arn=<the whole ARN>`
 */
function exactCallerIdentity(callerArn: string): string {
  const [prefix, , service, , account = '', ...rest] = callerArn.split(':');
  const parts = rest.join(':').split('/');
  const [kind, first, second] = parts;
  const acct = escapeName(account);
  if (prefix === 'arn' && rest.length > 0) {
    if (service === 'sts' && kind === 'assumed-role' && parts.length === 3 && first && second) {
      return IDENTITY_CENTER_ROLE.test(first) ? escapeName(second) : `${escapeName(first)}+${escapeName(second)}+${acct}`;
    }
    // A user's path is not part of its name: names are unique in an account whatever the path.
    if (service === 'iam' && kind === 'user' && parts.length >= 2) return `user=${escapeName(parts.at(-1) ?? '')}+${acct}`;
    if (service === 'sts' && kind === 'federated-user' && parts.length === 2) return `federated-user=${escapeName(first ?? '')}+${acct}`;
    if (service === 'iam' && kind === 'root' && parts.length === 1) return `root=${acct}`;
  }
  return `arn=${escapeName(callerArn)}`;
}

/** RoleSessionName and SourceIdentity for an IAM caller: valid for STS, and distinct for distinct principals. */
export function callerIdentity(callerArn: string): string {
  return fitForSts(exactCallerIdentity(callerArn));
}

/**
 * RoleSessionName of a bot acting for a person: `bot=` and the bot's own identity. The tag matters for
 * an IAM Identity Center session, whose identity is a user's name alone: a bot signed in as alice acting
 * for bob must not put alice's name on bob's session. No caller's or person's identity starts `bot=`.
 */
export function delegatorSessionName(botArn: string): string {
  return fitForSts(`bot=${exactCallerIdentity(botArn)}`);
}
