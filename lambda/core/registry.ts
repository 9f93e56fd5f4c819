import { isPartition, type Partition } from './partition';

/** A bot that may name the person it acts for (lambda/core/delegation.ts), and the groups it may vouch for. */
export interface Delegator {
  /** An IAM principal ARN pattern, as in `allowedCallers`. */
  readonly principal: string;
  readonly groups: readonly string[];
}

/** What the login Lambda knows of one target: everything but the external ID itself. */
export interface Target {
  readonly name: string;
  readonly accountId: string;
  readonly roleArn: string;
  /** Name of the Secrets Manager secret that holds the external ID. */
  readonly externalIdSecretId: string;
  readonly defaultRegion: string;
  /** IAM principal ARN patterns with `*` and `?` wildcards. */
  readonly allowedCallers: readonly string[];
  /** Verified e-mail addresses (lowercase) and groups that may open it through the browser entry. */
  readonly allowedEmails: readonly string[];
  readonly allowedGroups: readonly string[];
  /** Bots that may open it for a person its people rules admit, besides the registry's `delegators`. */
  readonly allowedDelegators?: readonly Delegator[];
  /** A login must give a reason. */
  readonly requireReason?: boolean;
  /** For people on the browser entry's home page: what it is, where it is grouped, its environment. */
  readonly description?: string;
  readonly group?: string;
  readonly environment?: string;
  /** Opened from the home page only after a confirmation click. */
  readonly production?: boolean;
}

export interface Registry {
  readonly partition: Partition;
  readonly targets: readonly Target[];
  /** IAM principal ARN patterns that may run the doctor (`GET /doctor`). */
  readonly operators: readonly string[];
  /** Bots that may open any target for a person its people rules admit. */
  readonly delegators?: readonly Delegator[];
}

/** Name of the secret that holds a target's external ID; the stack and the Lambda both derive it here. */
export function externalIdSecretName(targetName: string): string {
  return `console-broker/external-id/${targetName}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isDelegatorList(value: unknown): value is Delegator[] {
  return (
    value === undefined ||
    (Array.isArray(value) &&
      value.every((d: unknown) => typeof d === 'object' && d !== null && typeof (d as Delegator).principal === 'string' && isStringArray((d as Delegator).groups)))
  );
}

function isTarget(value: unknown): value is Target {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t.name === 'string' &&
    typeof t.accountId === 'string' &&
    typeof t.roleArn === 'string' &&
    typeof t.externalIdSecretId === 'string' &&
    typeof t.defaultRegion === 'string' &&
    isStringArray(t.allowedCallers) &&
    isStringArray(t.allowedEmails) &&
    isStringArray(t.allowedGroups) &&
    [t.description, t.group, t.environment].every((label) => label === undefined || typeof label === 'string') &&
    (t.production === undefined || typeof t.production === 'boolean') &&
    (t.requireReason === undefined || typeof t.requireReason === 'boolean') &&
    isDelegatorList(t.allowedDelegators)
  );
}

/** Parses the registry the stack bakes into the bundle; a malformed one fails the cold start, loudly. */
export function parseRegistry(text: string | undefined): Registry {
  if (text === undefined || text === '') throw new Error('CONSOLE_BROKER_REGISTRY is not set');
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null) throw new Error('CONSOLE_BROKER_REGISTRY is not a JSON object');
  const { partition, targets, operators = [], delegators = [] } = raw as Record<string, unknown>;
  if (typeof partition !== 'string' || !isPartition(partition)) {
    throw new Error(`CONSOLE_BROKER_REGISTRY names an unknown partition ${JSON.stringify(partition)}`);
  }
  if (!Array.isArray(targets) || !targets.every(isTarget)) {
    throw new Error('CONSOLE_BROKER_REGISTRY.targets is not a list of targets');
  }
  if (!isStringArray(operators)) throw new Error('CONSOLE_BROKER_REGISTRY.operators is not a list of strings');
  if (!isDelegatorList(delegators)) throw new Error('CONSOLE_BROKER_REGISTRY.delegators is not a list of delegators');
  return { partition, targets, operators, delegators };
}

/**
 * StringLike-style match: `*` is any run of characters (`/` and `:` too), `?` exactly one. Two pointers
 * and the last `*` to fall back to, no regex: at most pattern × value steps, so no pattern can make
 * a long ARN take longer than the Lambda's timeout.
 */
export function matchesPattern(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let starValue = 0;
  while (v < value.length) {
    const expected = pattern[p];
    if (expected === '*') {
      star = p++;
      starValue = v;
    } else if (expected !== undefined && (expected === '?' || expected === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      // Let the last `*` take one more character, and try the rest of the pattern from there.
      p = star + 1;
      v = ++starValue;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export function isCallerAllowed(target: Target, callerArn: string): boolean {
  return target.allowedCallers.some((pattern) => matchesPattern(pattern, callerArn));
}
