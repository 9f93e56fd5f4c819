import { readFileSync } from 'node:fs';
import { isPartition, isRegionOf, PARTITIONS, UNSUPPORTED_PARTITIONS, type Partition } from '../lambda/core/partition';
import { asciiLowerCase } from '../lambda/core/people';
import { RESERVED_PATHS } from '../lambda/core/routes';

/** Who deploys a target's role into its account. */
export type TargetDeployment = 'broker' | 'owner';

/** A bot that may name the person it acts for, and the groups it may vouch that person is in. */
export interface DelegatorConfig {
  /** An IAM principal ARN pattern, as in `allowedCallers`. */
  readonly principal: string;
  /** Groups the bot may assert for a person; none unless listed. */
  readonly groups: readonly string[];
}

export interface TargetConfig {
  /** Short name used in URLs and logs, such as `prod-readonly`. */
  readonly name: string;
  /** The 12-digit account that holds the role. */
  readonly accountId: string;
  /** The IAM role the broker assumes there. */
  readonly roleName: string;
  /** AWS managed policy names the role gets, such as `ReadOnlyAccess` or `job-function/ViewOnlyAccess`. */
  readonly managedPolicies: readonly string[];
  /** IAM principal ARN patterns (`*` and `?` wildcards) that may open this target; empty refuses everyone. */
  readonly allowedCallers: readonly string[];
  /** People who may open it through the browser entry, by verified e-mail address. */
  readonly allowedEmails: readonly string[];
  /** People who may open it through the browser entry, by a group in the provider's groups claim. */
  readonly allowedGroups: readonly string[];
  /** Bots that may open it for a person whom `allowedEmails` or `allowedGroups` admit, besides the top-level ones. */
  readonly allowedDelegators: readonly DelegatorConfig[];
  /** Refuse a login that gives no reason. */
  readonly requireReason: boolean;
  /** Region the console opens in when the caller names none. */
  readonly defaultRegion: string;
  /**
   * `broker`: the role is in this app and `cdk deploy --all` creates it.
   * `owner`: the account's owner deploys the standalone target template with the broker role ARN and
   * the external ID as parameters.
   */
  readonly deployedBy: TargetDeployment;
  /** What the target is, in a line, for the browser entry's home page. */
  readonly description: string | undefined;
  /** What the home page groups it under: a customer, a business unit. */
  readonly group: string | undefined;
  /** Such as `dev`, `staging` or `prod`. */
  readonly environment: string | undefined;
  /**
   * Marked on the home page, and opened by the browser entry only once the person confirms it (the home
   * page's ticked box, or the confirmation page's button; lambda/web/handler.ts): the `production` flag,
   * else an environment named prod or production.
   */
  readonly production: boolean;
}

/** The company's OpenID Connect provider, for the browser entry. */
export interface OpenIdProviderConfig {
  /** The issuer URL, such as https://company.okta.com. */
  readonly issuer: string;
  readonly clientId: string;
  /** Scopes asked for at sign-in. */
  readonly scopes: readonly string[];
  /** The claim that lists a person's groups. */
  readonly groupsClaim: string;
  /** How long a browser session lasts before the person signs in again. */
  readonly sessionMinutes: number;
}

/** The Slack workspaces whose slash command the Slack entry answers, and what it believes of their members. */
export interface SlackConfig {
  /** Workspaces (`T…`) served; a command from any other is refused. */
  readonly teamIds: readonly string[];
  /** Enterprise Grid organizations (`E…`) served, for every workspace in them. */
  readonly enterpriseIds: readonly string[];
  /** A member's Slack e-mail address counts for `allowedEmails` only when confirmed and in one of these domains. */
  readonly emailDomains: readonly string[];
  /** Slack user group ID (`S…`) to the `allowedGroups` group its members count as in. */
  readonly userGroups: Readonly<Record<string, string>>;
}

export interface BrokerConfig {
  /** The account that holds the secrets and the login Lambda. */
  readonly accountId: string;
  readonly region: string;
  readonly partition: Partition;
  /**
   * Reserved concurrency of each entry's function (IAM, browser, Slack); `undefined` reserves none. Lambda
   * keeps 100 of the account's concurrency unreserved, so a new account's lower quota refuses any
   * reservation (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
   */
  readonly reservedConcurrency: number | undefined;
  /** Reserved concurrency of the doctor's function, which also caps its runs at once; `undefined` reserves none. */
  readonly doctorReservedConcurrency: number | undefined;
  /** Days the login Lambda's log group keeps its events. */
  readonly logRetentionDays: number;
  /** Adds the browser entry; `undefined` means no public URL exists. */
  readonly openIdProvider: OpenIdProviderConfig | undefined;
  /** Adds the Slack entry; `undefined` means none. */
  readonly slack: SlackConfig | undefined;
  readonly targets: readonly TargetConfig[];
  /** IAM principal ARN patterns (`*` and `?` wildcards) that may run the doctor; empty lets nobody but the schedule. */
  readonly operators: readonly string[];
  /** Bots that may open every target for a person whom its people rules admit. */
  readonly allowedDelegators: readonly DelegatorConfig[];
}

export class ConfigError extends Error {
  constructor(field: string, problem: string) {
    super(`Invalid console-broker configuration: ${field} ${problem}`);
    this.name = 'ConfigError';
  }
}

// Values CloudWatch Logs accepts for retentionInDays:
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const ACCOUNT_ID = /^\d{12}$/;
// IAM role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// A managed policy name, optionally under a path such as `job-function/`.
const MANAGED_POLICY = /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;
const TARGET_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
// An IAM or STS principal ARN; the resource part may use the `*` and `?` wildcards of StringLike.
const CALLER_PATTERN = /^arn:([a-z-]+):(iam|sts)::(\d{12}):[\w+=,.@/*?-]+$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Json, key: string, field: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(field, 'must be a non-empty string');
  return value;
}

function optionalStringArray(obj: Json, key: string, field: string, fallback: readonly string[]): string[] {
  const value = obj[key];
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new ConfigError(field, 'must be a list of strings');
  }
  return value;
}

function rejectUnknownKeys(obj: Json, allowed: readonly string[], field: string): void {
  const unknown = Object.keys(obj).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new ConfigError(field, `has unknown keys ${unknown.join(', ')}; accepted: ${allowed.join(', ')}`);
}

function parseAccountId(obj: Json, key: string, field: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || !ACCOUNT_ID.test(value)) {
    throw new ConfigError(field, `must be a 12-digit AWS account ID as a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseRegion(value: string, partition: Partition, field: string): string {
  if (!isRegionOf(partition, value)) {
    throw new ConfigError(field, `must be a region of partition ${partition} (such as ${exampleRegion(partition)}), got "${value}"`);
  }
  return value;
}

function exampleRegion(partition: Partition): string {
  return { aws: 'eu-west-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1', 'aws-eusc': 'eusc-de-east-1' }[partition];
}

function parseCallerPattern(pattern: string, partition: Partition, field: string): string {
  const match = CALLER_PATTERN.exec(pattern);
  if (!match) {
    throw new ConfigError(
      field,
      `must be an IAM principal ARN pattern such as arn:${partition}:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*, with a literal 12-digit account, got "${pattern}"`,
    );
  }
  if (match[1] !== partition) throw new ConfigError(field, `must be in partition ${partition}, got "${match[1]}"`);
  return pattern;
}

const TARGET_KEYS = [
  'name', 'accountId', 'roleName', 'managedPolicies', 'allowedCallers', 'allowedEmails', 'allowedGroups', 'allowedDelegators', 'requireReason',
  'defaultRegion', 'deployedBy', 'description', 'group', 'environment', 'production',
];

const DELEGATOR_KEYS = ['principal', 'groups'];

/**
 * `allowedDelegators`: caller patterns, each alone (the bot names people, never groups) or as
 * `{ "principal", "groups" }`. A bot's `groups` parameter is a comma-separated list, so a group it may
 * vouch for holds no comma.
 */
function parseDelegators(obj: Json, field: string, partition: Partition): DelegatorConfig[] {
  const value = obj.allowedDelegators;
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(field, 'must be a list of caller patterns or { "principal", "groups" } objects');
  return value.map((entry: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof entry === 'string') return { principal: parseCallerPattern(entry, partition, at), groups: [] };
    if (!isObject(entry)) throw new ConfigError(at, `must be a caller pattern or { "principal", "groups" }, got ${JSON.stringify(entry)}`);
    rejectUnknownKeys(entry, DELEGATOR_KEYS, at);
    const principal = parseCallerPattern(requireString(entry, 'principal', `${at}.principal`), partition, `${at}.principal`);
    const groups = optionalStringArray(entry, 'groups', `${at}.groups`, []).map((group, j) => {
      if (group === '' || group.includes(',') || /\p{Cc}/u.test(group)) {
        throw new ConfigError(`${at}.groups[${j}]`, `must be a group name with no comma or control characters, got ${JSON.stringify(group)}`);
      }
      return group;
    });
    return { principal, groups };
  });
}

/** An optional line of text for people to read: no control characters, at most `max` characters. */
function optionalLabel(obj: Json, key: string, field: string, max: number): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /\p{Cc}/u.test(value)) {
    throw new ConfigError(field, `must be a line of 1-${String(max)} characters with no control characters, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

const PRODUCTION_ENVIRONMENTS = ['prod', 'production'];

function parseTarget(raw: unknown, index: number, broker: { partition: Partition; region: string; hasOpenIdProvider: boolean; hasDelegators: boolean }): TargetConfig {
  const field = `targets[${index}]`;
  if (!isObject(raw)) throw new ConfigError(field, 'must be an object');
  rejectUnknownKeys(raw, TARGET_KEYS, field);

  const name = requireString(raw, 'name', `${field}.name`);
  if (!TARGET_NAME.test(name)) {
    throw new ConfigError(`${field}.name`, `must be 1-64 lowercase letters, digits and inner hyphens, got "${name}"`);
  }
  if (RESERVED_PATHS.includes(name)) {
    throw new ConfigError(`${field}.name`, `"${name}" is reserved for the broker's own paths (${RESERVED_PATHS.join(', ')})`);
  }
  const accountId = parseAccountId(raw, 'accountId', `${field}.accountId`);
  const roleName = requireString(raw, 'roleName', `${field}.roleName`);
  if (!ROLE_NAME.test(roleName)) {
    throw new ConfigError(`${field}.roleName`, `must be 1-64 characters of letters, digits and +=,.@_- (IAM's rule), got "${roleName}"`);
  }
  const managedPolicies = optionalStringArray(raw, 'managedPolicies', `${field}.managedPolicies`, ['ReadOnlyAccess']);
  if (managedPolicies.length === 0) {
    throw new ConfigError(`${field}.managedPolicies`, 'must name at least one AWS managed policy (default ["ReadOnlyAccess"])');
  }
  managedPolicies.forEach((policy, i) => {
    if (!MANAGED_POLICY.test(policy)) {
      throw new ConfigError(`${field}.managedPolicies[${i}]`, `must be an AWS managed policy name such as ReadOnlyAccess, got "${policy}"`);
    }
  });
  const allowedCallers = optionalStringArray(raw, 'allowedCallers', `${field}.allowedCallers`, []).map((pattern, i) =>
    parseCallerPattern(pattern, broker.partition, `${field}.allowedCallers[${i}]`),
  );
  const defaultRegion =
    raw.defaultRegion === undefined
      ? broker.region
      : parseRegion(requireString(raw, 'defaultRegion', `${field}.defaultRegion`), broker.partition, `${field}.defaultRegion`);
  const deployedBy = raw.deployedBy ?? 'broker';
  if (deployedBy !== 'broker' && deployedBy !== 'owner') {
    throw new ConfigError(`${field}.deployedBy`, `must be "broker" or "owner", got ${JSON.stringify(deployedBy)}`);
  }
  const allowedEmails = optionalStringArray(raw, 'allowedEmails', `${field}.allowedEmails`, []).map((email, i) => {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new ConfigError(`${field}.allowedEmails[${i}]`, `must be an e-mail address, got "${email}"`);
    return asciiLowerCase(email);
  });
  const allowedGroups = optionalStringArray(raw, 'allowedGroups', `${field}.allowedGroups`, []);
  const allowedDelegators = parseDelegators(raw, `${field}.allowedDelegators`, broker.partition);
  const people = allowedEmails.length > 0 || allowedGroups.length > 0;
  // People reach a target through the browser entry, or through a bot that names them.
  if (people && !broker.hasOpenIdProvider && !broker.hasDelegators && allowedDelegators.length === 0) {
    throw new ConfigError(field, 'lists allowedEmails or allowedGroups, which need an openIdProvider, slack or allowedDelegators');
  }
  if (allowedDelegators.length > 0 && !people) {
    throw new ConfigError(`${field}.allowedDelegators`, 'names bots that act for people, but the target lists no allowedEmails or allowedGroups for them to name');
  }
  const requireReason = raw.requireReason ?? false;
  if (typeof requireReason !== 'boolean') throw new ConfigError(`${field}.requireReason`, `must be true or false, got ${JSON.stringify(requireReason)}`);
  const description = optionalLabel(raw, 'description', `${field}.description`, 200);
  const group = optionalLabel(raw, 'group', `${field}.group`, 64);
  const environment = optionalLabel(raw, 'environment', `${field}.environment`, 32);
  const production = raw.production ?? PRODUCTION_ENVIRONMENTS.includes(asciiLowerCase(environment ?? ''));
  if (typeof production !== 'boolean') throw new ConfigError(`${field}.production`, `must be true or false, got ${JSON.stringify(production)}`);
  return {
    name, accountId, roleName, managedPolicies, allowedCallers, allowedEmails, allowedGroups, allowedDelegators, requireReason,
    defaultRegion, deployedBy, description, group, environment, production,
  };
}

const PROVIDER_KEYS = ['issuer', 'clientId', 'scopes', 'groupsClaim', 'sessionMinutes'];

function parseOpenIdProvider(raw: unknown): OpenIdProviderConfig | undefined {
  if (raw === undefined) return undefined;
  const field = 'openIdProvider';
  if (!isObject(raw)) throw new ConfigError(field, 'must be an object with issuer and clientId');
  rejectUnknownKeys(raw, PROVIDER_KEYS, field);
  const issuer = requireString(raw, 'issuer', `${field}.issuer`);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`${field}.issuer`, `must be the provider's issuer URL, got "${issuer}"`);
  }
  // Plain http only for a provider on this machine (local development).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname))) {
    throw new ConfigError(`${field}.issuer`, `must be an https URL, got "${issuer}"`);
  }
  const clientId = requireString(raw, 'clientId', `${field}.clientId`);
  const scopes = optionalStringArray(raw, 'scopes', `${field}.scopes`, ['openid', 'email', 'profile']);
  if (!scopes.includes('openid')) throw new ConfigError(`${field}.scopes`, 'must include openid');
  const groupsClaim = raw.groupsClaim === undefined ? 'groups' : requireString(raw, 'groupsClaim', `${field}.groupsClaim`);
  const sessionMinutes = raw.sessionMinutes ?? 60;
  if (typeof sessionMinutes !== 'number' || !Number.isInteger(sessionMinutes) || sessionMinutes < 5 || sessionMinutes > 720) {
    throw new ConfigError(`${field}.sessionMinutes`, `must be a whole number of minutes from 5 to 720, got ${JSON.stringify(sessionMinutes)}`);
  }
  return { issuer, clientId, scopes, groupsClaim, sessionMinutes };
}

const SLACK_KEYS = ['teamIds', 'enterpriseIds', 'emailDomains', 'userGroups'];
// Slack's IDs: a letter for the kind, then upper-case letters and digits.
const SLACK_ID = { team: /^T[A-Z0-9]{2,31}$/, enterprise: /^E[A-Z0-9]{2,31}$/, userGroup: /^S[A-Z0-9]{2,31}$/ };
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The Slack entry's section. Workspaces and user groups are named by ID, which a workspace admin cannot
 * change, never by name; e-mail addresses count only in the domains listed (README, The Slack entry).
 */
function parseSlack(raw: unknown): SlackConfig | undefined {
  if (raw === undefined) return undefined;
  const field = 'slack';
  if (!isObject(raw)) throw new ConfigError(field, 'must be an object with teamIds or enterpriseIds');
  rejectUnknownKeys(raw, SLACK_KEYS, field);
  const ids = (key: 'teamIds' | 'enterpriseIds', pattern: RegExp, example: string): string[] =>
    optionalStringArray(raw, key, `${field}.${key}`, []).map((id, i) => {
      if (!pattern.test(id)) throw new ConfigError(`${field}.${key}[${i}]`, `must be a Slack ID such as ${example}, got "${id}"`);
      return id;
    });
  const teamIds = ids('teamIds', SLACK_ID.team, 'T0123ABCD');
  const enterpriseIds = ids('enterpriseIds', SLACK_ID.enterprise, 'E0123ABCD');
  if (teamIds.length === 0 && enterpriseIds.length === 0) {
    throw new ConfigError(field, 'must name the workspaces it serves in teamIds (T…) or enterpriseIds (E…): a command from any other is refused');
  }
  const emailDomains = optionalStringArray(raw, 'emailDomains', `${field}.emailDomains`, []).map((domain, i) => {
    if (!DOMAIN.test(domain)) throw new ConfigError(`${field}.emailDomains[${i}]`, `must be a lower-case domain such as example.com, got "${domain}"`);
    return domain;
  });
  const groups = raw.userGroups ?? {};
  if (!isObject(groups)) throw new ConfigError(`${field}.userGroups`, 'must be an object from Slack user group IDs (S…) to groups in targets\' allowedGroups');
  const userGroups: Record<string, string> = {};
  for (const [id, group] of Object.entries(groups)) {
    if (!SLACK_ID.userGroup.test(id)) throw new ConfigError(`${field}.userGroups`, `keys must be Slack user group IDs such as S0123ABCD (not names, which admins can change), got "${id}"`);
    if (typeof group !== 'string' || group === '') throw new ConfigError(`${field}.userGroups.${id}`, 'must be the name of a group in some target\'s allowedGroups');
    userGroups[id] = group;
  }
  if (emailDomains.length === 0 && Object.keys(userGroups).length === 0) {
    throw new ConfigError(field, 'needs emailDomains or userGroups: otherwise no Slack member can open anything');
  }
  return { teamIds, enterpriseIds, emailDomains, userGroups };
}

/** A mapping to a group no target admits grants nothing, and is most likely a typing mistake. */
function requireMappedGroupsUsed(slack: SlackConfig, targets: readonly TargetConfig[]): void {
  for (const [id, group] of Object.entries(slack.userGroups)) {
    if (!targets.some((t) => t.allowedGroups.includes(group))) {
      throw new ConfigError(`slack.userGroups.${id}`, `maps to "${group}", which no target's allowedGroups names`);
    }
  }
}

/**
 * A function's reserved concurrency: absent reserves none, and zero would stop the function. Whether the
 * account can spare it is known only in the account: `console-broker preflight` checks it.
 */
function optionalReservation(obj: Json, key: string): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(key, `must be a whole number of at least 1, or absent to reserve none, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The partition, refusing the ISO ones and, unless the operator opts in, those AWS documents no federation endpoint for. */
function parsePartition(raw: Json): Partition {
  const value = raw.partition ?? 'aws';
  if (typeof value === 'string' && UNSUPPORTED_PARTITIONS.includes(value)) {
    throw new ConfigError('partition', `"${value}" is not supported: AWS documents no console federation endpoint for the ISO partitions`);
  }
  if (typeof value !== 'string' || !isPartition(value)) {
    throw new ConfigError('partition', `must be one of ${Object.keys(PARTITIONS).join(', ')}, got ${JSON.stringify(value)}`);
  }
  const accept = raw.acceptUnverifiedPartition ?? false;
  if (typeof accept !== 'boolean') throw new ConfigError('acceptUnverifiedPartition', `must be true or false, got ${JSON.stringify(accept)}`);
  if (!PARTITIONS[value].verified && !accept) {
    throw new ConfigError(
      'partition',
      `"${value}" is not yet verified: AWS documents no federation endpoint for it; set acceptUnverifiedPartition to true to deploy anyway and try a login first`,
    );
  }
  return value;
}

const BROKER_KEYS = ['accountId', 'region', 'partition', 'acceptUnverifiedPartition', 'reservedConcurrency', 'doctorReservedConcurrency', 'logRetentionDays', 'openIdProvider', 'slack', 'targets', 'operators', 'allowedDelegators'];

/** Validates a raw configuration object; every error names the field and what it accepts. */
export function parseConfig(raw: unknown): BrokerConfig {
  if (!isObject(raw)) throw new ConfigError('the configuration', 'must be a JSON object');
  rejectUnknownKeys(raw, BROKER_KEYS, 'the configuration');

  const partition = parsePartition(raw);
  const accountId = parseAccountId(raw, 'accountId', 'accountId');
  const region = parseRegion(requireString(raw, 'region', 'region'), partition, 'region');

  const reservedConcurrency = optionalReservation(raw, 'reservedConcurrency');
  const doctorReservedConcurrency = optionalReservation(raw, 'doctorReservedConcurrency');
  const logRetentionDays = raw.logRetentionDays ?? 90;
  if (typeof logRetentionDays !== 'number' || !LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new ConfigError('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${JSON.stringify(logRetentionDays)}`);
  }

  const openIdProvider = parseOpenIdProvider(raw.openIdProvider);
  const slack = parseSlack(raw.slack);
  const allowedDelegators = parseDelegators(raw, 'allowedDelegators', partition);

  if (!Array.isArray(raw.targets) || raw.targets.length === 0) {
    throw new ConfigError('targets', 'must be a non-empty list of targets');
  }
  const broker = { partition, region, hasOpenIdProvider: openIdProvider !== undefined || slack !== undefined, hasDelegators: allowedDelegators.length > 0 };
  const targets = raw.targets.map((target, index) => parseTarget(target, index, broker));
  const seen = new Set<string>();
  targets.forEach((target, index) => {
    if (seen.has(target.name)) throw new ConfigError(`targets[${index}].name`, `"${target.name}" is used by another target; names must be unique`);
    seen.add(target.name);
  });

  const operators = optionalStringArray(raw, 'operators', 'operators', []).map((pattern, i) => parseCallerPattern(pattern, partition, `operators[${i}]`));
  if (slack) requireMappedGroupsUsed(slack, targets);

  return {
    accountId,
    region,
    partition,
    reservedConcurrency,
    doctorReservedConcurrency,
    logRetentionDays,
    openIdProvider,
    slack,
    targets,
    operators,
    allowedDelegators,
  };
}

export function loadConfig(path: string): BrokerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the console-broker configuration at ${path}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`The console-broker configuration at ${path} is not valid JSON`, { cause: error });
  }
  return parseConfig(raw);
}
