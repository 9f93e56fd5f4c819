import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { DoctorReport } from '../lambda/doctor/doctor';
import { DOCTOR_DEADLINE_MARGIN_MS, DOCTOR_TIMEOUT_SECONDS } from '../lambda/doctor/timing';
import type { LoginResult } from '../lambda/core/login';
import { isConsoleUrl } from '../lambda/core/destination';
import { isPartition, PARTITIONS, type Partition } from '../lambda/core/partition';
import type { TargetList } from '../lambda/core/request';

/** Why a call to the broker failed, in words a person can act on; `exitCode` is what the CLI exits with. */
export class BrokerError extends Error {
  constructor(
    readonly kind: 'usage' | 'no-credentials' | 'no-url' | 'refused' | 'forbidden' | 'not-found' | 'bad-request' | 'unreachable' | 'timeout' | 'upstream',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BrokerError';
  }

  get exitCode(): number {
    return this.kind === 'usage' ? 2 : 1;
  }
}

export interface BrokerOptions {
  /** The broker's function URL. @default - CONSOLE_BROKER_URL, else the LoginUrl output of the ConsoleBroker stack */
  readonly url?: string;
  /** A shared config profile. @default - the standard credential chain (environment, AWS_PROFILE, SSO, instance roles) */
  readonly profile?: string;
  /** Credentials to sign with, for programs that have their own. @default - from `profile` or the standard chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The broker's region, for signing and for finding its stack. @default - from the URL, else the SDK's region */
  readonly brokerRegion?: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
  /** Environment to read CONSOLE_BROKER_URL and AWS_REGION from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ConsoleLoginOptions extends BrokerOptions {
  readonly target: string;
  /** The console's region. @default - the target's default region */
  readonly region?: string;
  /** A console shortcut such as `ec2` or `iam`. */
  readonly service?: string;
  /** A console path or URL on the console host. */
  readonly destination?: string;
  /** Sign the browser out of its current console session first. */
  readonly logout?: boolean;
  /** Why: a ticket ID or a sentence, logged by the broker and shown back; some targets require one. */
  readonly reason?: string;
  /** For a bot the broker trusts as a delegator: the e-mail address of the person it acts for, and the groups it vouches they are in. */
  readonly person?: PersonOptions;
}

/** The person a delegator bot acts for; the broker authorizes them, and names the session after them. */
export interface PersonOptions {
  readonly email: string;
  /** Only groups the broker's configuration lets this bot vouch for. @default - none */
  readonly groups?: readonly string[];
}

/** The broker's `for` and `groups` parameters (lambda/core/delegation.ts). */
function personQuery(person: PersonOptions | undefined): Record<string, string> {
  if (person === undefined) return {};
  const groups = person.groups ?? [];
  if (groups.some((group) => group === '' || group.includes(','))) throw new BrokerError('usage', 'A group name must be non-empty and hold no comma.');
  return { for: person.email, ...(groups.length > 0 ? { groups: groups.join(',') } : {}) };
}

/** What every call takes: how to sign, and where to look for the stack. */
type CallOptions = Omit<BrokerOptions, 'url'>;

export interface DoctorOptions extends CallOptions {
  /** The doctor's function URL. @default - CONSOLE_BROKER_DOCTOR_URL, else the DoctorUrl output of the ConsoleBroker stack */
  readonly doctorUrl?: string;
}

/** The broker's answer to a login (the Lambda's own type): keep `loginUrl` private, it signs in whoever opens it. */
export type ConsoleLogin = LoginResult;
export type { DoctorReport, TargetList };

/** The broker stack's name (lib/names.ts). */
export const BROKER_STACK = 'ConsoleBroker';
/** For local tests only: the fake sign-in hosts' origins, separated by spaces, honoured only for a broker on this machine. */
export const LOCAL_SIGNIN_ORIGIN_VARIABLE = 'CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN';
const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost'];
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

export function credentialsOf(options: CallOptions): AwsCredentialIdentityProvider {
  const given = options.credentials;
  if (given) return typeof given === 'function' ? given : () => Promise.resolve(given);
  return fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
}

async function resolveCredentials(options: CallOptions): Promise<AwsCredentialIdentity> {
  try {
    return await credentialsOf(options)();
  } catch (error) {
    const where = options.profile ? ` for profile ${options.profile}` : '';
    throw new BrokerError(
      'no-credentials',
      `No AWS credentials found${where} (${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}). ` +
        'Sign in with `aws sso login --profile <name>` and pass --profile or set AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.includes(url.hostname);
}

/** Signed requests and login URLs must not cross a network in the clear: plain http only to this machine. */
function safeBrokerUrl(url: URL): URL {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))) return url;
  throw new BrokerError('usage', `Refusing the broker URL ${url.origin}: use https (plain http only to 127.0.0.1, ::1 or localhost).`);
}

/**
 * Where a login URL may lead: the sign-in hosts of the target role's partition and, for local tests
 * only, the origins that CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN names, when they and the broker are all on this machine.
 */
function localSigninOrigins(base: URL, env: NodeJS.ProcessEnv): string[] {
  const local = env[LOCAL_SIGNIN_ORIGIN_VARIABLE]?.trim();
  if (!local) return [];
  const origins = local.split(/\s+/);
  if (!isLoopback(base) || !origins.every((origin) => URL.canParse(origin) && isLoopback(new URL(origin)))) {
    throw new BrokerError('usage', `${LOCAL_SIGNIN_ORIGIN_VARIABLE} is for local tests only: it needs a broker URL and origins on 127.0.0.1, ::1 or localhost.`);
  }
  return origins.map((origin) => new URL(origin).origin);
}

/** What a login URL may be, from the target role's partition and where the broker is. */
interface LoginUrlRules {
  readonly partition: Partition;
  /** The partition's sign-in origins (global, and the one that signs out first) and, for local tests only, those CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN names. */
  readonly signinOrigins: readonly string[];
  /** The region the broker, and so its stack's browser entry, runs in. */
  readonly brokerRegion: string;
}

/** `url`'s parameters when it has exactly `names`, each once; otherwise undefined. */
function exactParameters(url: URL, names: readonly string[]): URLSearchParams | undefined {
  const keys = [...url.searchParams.keys()];
  return keys.length === names.length && names.every((name) => keys.includes(name)) ? url.searchParams : undefined;
}

function onSigninOrigin(text: string, rules: LoginUrlRules, path: string): URL | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  const plain = url.username === '' && url.password === '' && url.hash === '';
  return plain && rules.signinOrigins.includes(url.origin) && url.pathname === path ? url : undefined;
}

/**
 * The Lambda's Issuer (lambda/iam/handler.ts): the partition's console, or the stack's browser entry,
 * a function URL (https://<url-id>.lambda-url.<region>.on.aws, https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html)
 * in the broker's region. The CLI cannot tell that stack's function URL from another one in that region.
 */
function isIssuer(text: string, rules: LoginUrlRules): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  // Only an https origin with nothing after it serializes back to this.
  if (url.href !== `https://${url.hostname}/`) return false;
  return url.hostname === PARTITIONS[rules.partition].consoleHost || FUNCTION_URL_HOST.exec(url.hostname)?.[1] === rules.brokerRegion;
}

/** `/federation?Action=login&Issuer&Destination&SigninToken`, as lambda/core/federation.ts's loginUrl makes it. */
function isConsoleLogin(text: string, rules: LoginUrlRules): boolean {
  const url = onSigninOrigin(text, rules, '/federation');
  const params = url && exactParameters(url, ['Action', 'Issuer', 'Destination', 'SigninToken']);
  if (!params || params.get('Action') !== 'login' || !params.get('SigninToken') || !isIssuer(params.get('Issuer') ?? '', rules)) return false;
  const destination = params.get('Destination') ?? '';
  return URL.canParse(destination) && isConsoleUrl(rules.partition, new URL(destination));
}

/** A console login, or the console's logout that then follows one (federation.ts's logoutThenLoginUrl). */
function isBrokerLoginUrl(text: string, rules: LoginUrlRules): boolean {
  const logout = onSigninOrigin(text, rules, '/oauth');
  const params = logout && exactParameters(logout, ['Action', 'redirect_uri']);
  if (params) return params.get('Action') === 'logout' && isConsoleLogin(params.get('redirect_uri') ?? '', rules);
  return isConsoleLogin(text, rules);
}

/**
 * A broker (or whatever answers in its place) must not have the CLI open or print a page of its choosing.
 * The sign-in token cannot be checked here: such a responder can still sign you in to an account of its own.
 */
function checkLoginUrl(login: ConsoleLogin, base: URL, localOrigins: readonly string[], options: BrokerOptions): ConsoleLogin {
  // The answer is untrusted JSON until checked, whatever its declared type.
  const { loginUrl, roleArn } = login as Partial<Record<'loginUrl' | 'roleArn', unknown>>;
  const partition = (typeof roleArn === 'string' ? roleArn.split(':')[1] : undefined) ?? '';
  const signinOrigins = [...new Set([...(isPartition(partition) ? [PARTITIONS[partition].signinOrigin, PARTITIONS[partition].logoutOrigin] : []), ...localOrigins])];
  const rules = isPartition(partition) ? { partition, signinOrigins, brokerRegion: signingRegion(base, options) } : undefined;
  if (typeof loginUrl !== 'string' || !rules || !isBrokerLoginUrl(loginUrl, rules)) {
    throw new BrokerError(
      'upstream',
      `The broker answered a login URL that is not a console sign-in on ${signinOrigins.join(' or ') || "the target's partition"}; refusing to open or print it.`,
    );
  }
  return login;
}

/** Where a function URL of the broker comes from when not given: an environment variable, then a stack output. */
interface UrlSource {
  /** What the URL is, in messages. */
  readonly what: string;
  readonly option: string;
  readonly variable: string;
  readonly output: string;
}

const LOGIN_URL: UrlSource = { what: 'broker URL', option: '--url', variable: 'CONSOLE_BROKER_URL', output: 'LoginUrl' };
const DOCTOR_URL: UrlSource = { what: 'doctor URL', option: '--doctor-url', variable: 'CONSOLE_BROKER_DOCTOR_URL', output: 'DoctorUrl' };

/** The broker's URL: given, from CONSOLE_BROKER_URL, or read from the deployed stack with the caller's credentials. */
export async function brokerUrl(options: BrokerOptions): Promise<URL> {
  return safeBrokerUrl(await findUrl(options, options.url, LOGIN_URL));
}

async function findUrl(options: CallOptions, url: string | undefined, source: UrlSource): Promise<URL> {
  const env = options.env ?? process.env;
  const given = url ?? env[source.variable];
  if (given) {
    try {
      return new URL(given);
    } catch {
      throw new BrokerError('usage', `"${given}" is not a URL; give the ${source.what}, a function URL such as https://abc.lambda-url.eu-west-1.on.aws/`);
    }
  }
  const howTo = `Pass ${source.option}, set ${source.variable}, or give credentials and a region (--broker-region or AWS_REGION) that can read the ConsoleBroker stack.`;
  const region = options.brokerRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new BrokerError('no-url', `No ${source.what}: ${howTo}`);
  const client = new CloudFormationClient({ region, credentials: credentialsOf(options) });
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: BROKER_STACK }));
    const found = answer.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === source.output)?.OutputValue;
    if (found) return new URL(found);
  } catch (error) {
    throw new BrokerError('no-url', `No ${source.what}: the ${BROKER_STACK} stack in ${region} could not be read (${error instanceof Error ? error.name : String(error)}). ${howTo}`);
  } finally {
    client.destroy();
  }
  throw new BrokerError('no-url', `No ${source.what}: the ${BROKER_STACK} stack in ${region} has no ${source.output} output. ${howTo}`);
}

function signingRegion(url: URL, options: CallOptions): string {
  const fromHost = FUNCTION_URL_HOST.exec(url.hostname)?.[1];
  const env = options.env ?? process.env;
  return fromHost ?? options.brokerRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

interface BrokerErrorBody {
  readonly error?: { readonly status?: number; readonly code?: string; readonly message?: string };
  readonly Message?: string;
}

/** How an error status of a function URL reads; `message` is the answer's own. */
type StatusWording = Partial<Record<number, (message: string) => string>>;

/** The login function's URL: its path names a target. */
const LOGIN_WORDING: StatusWording = { 404: (message) => `Unknown target: ${message}.` };

/** Signs a GET for the function URL with SigV4 (service `lambda`), sends it, and returns the parsed JSON. */
async function call<T>(base: URL, path: string, query: Record<string, string>, options: CallOptions, wording: StatusWording = LOGIN_WORDING): Promise<T> {
  const url = new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base : `${base.href}/`);
  // Spaces as %20, as the signature encodes them: URLSearchParams would send `+`, which SigV4 does not
  // read as a space (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
  url.search = buildQueryString(query);
  const credentials = await resolveCredentials(options);
  const signer = new SignatureV4({ service: 'lambda', region: signingRegion(url, options), credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host, accept: 'application/json' },
    }),
  );

  const timeoutMs = options.timeoutMs ?? 15_000;
  let response: Response;
  try {
    response = await fetch(url, { headers: signed.headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (error) {
    // Node's fetch may also give up on its own, after 300 s without response headers (undici's headersTimeout).
    const headersTimedOut = error instanceof Error && error.cause instanceof Error && error.cause.name === 'HeadersTimeoutError';
    if (headersTimedOut || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
      throw new BrokerError('timeout', `The broker at ${url.origin} did not answer within ${timeoutMs / 1000} s.`);
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new BrokerError('unreachable', `Cannot reach the broker at ${url.origin}: ${cause}.`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BrokerError('upstream', `The broker at ${url.origin} answered ${response.status} with something that is not JSON.`, response.status);
  }
  if (response.ok) return body as T;

  const { error, Message } = body as BrokerErrorBody;
  const message = error?.message ?? Message ?? `HTTP ${response.status}`;
  const worded = wording[response.status];
  if (worded) throw new BrokerError(response.status === 404 ? 'not-found' : 'upstream', worded(message), response.status);
  switch (response.status) {
    case 400:
      throw new BrokerError('bad-request', `The broker refused the request: ${message}.`, 400);
    case 403:
      // AWS answers {"Message":"Forbidden"} itself when the signature or the function URL's policy refuses.
      throw error
        ? new BrokerError('forbidden', `Not allowed: ${message}.`, 403)
        : new BrokerError('refused', `AWS refused the request before it reached the broker (403 ${message}): check that these credentials belong to an account the broker lets invoke its URL.`, 403);
    default:
      throw new BrokerError('upstream', `The broker answered ${response.status}: ${message}${error?.code ? ` (${error.code})` : ''}.`, response.status);
  }
}

/** Asks the broker for a console login URL, as a chatops bot or the CLI does. */
export async function requestConsoleLogin(options: ConsoleLoginOptions): Promise<ConsoleLogin> {
  if (options.service !== undefined && options.destination !== undefined) {
    throw new BrokerError('usage', 'Give --service or --destination, not both.');
  }
  const query: Record<string, string> = {};
  if (options.region) query.region = options.region;
  if (options.service) query.service = options.service;
  if (options.destination) query.destination = options.destination;
  if (options.logout) query.logout = '1';
  if (options.reason) query.reason = options.reason;
  Object.assign(query, personQuery(options.person));
  const base = await brokerUrl(options);
  const localOrigins = localSigninOrigins(base, options.env ?? process.env);
  return checkLoginUrl(await call<ConsoleLogin>(base, `/${encodeURIComponent(options.target)}`, query, options), base, localOrigins, options);
}

/** The targets the caller may open, as the broker sees it; with `person`, what a delegator bot may open for them. */
export async function listConsoleTargets(options: BrokerOptions & { readonly person?: PersonOptions } = {}): Promise<TargetList> {
  return call<TargetList>(await brokerUrl(options), '/targets', personQuery(options.person), options);
}

/**
 * How long the CLI waits for the doctor: its run ends at its deadline, DOCTOR_DEADLINE_MARGIN_MS before
 * its timeout, and may follow a cold start, whose init Lambda limits to 10 s
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), and the network; all
 * of it inside the 300 s Node's fetch waits for response headers (undici's Client headersTimeout:
 * https://undici.nodejs.org/#/docs/api/Client), so a run that used its deadline is read, not cut off.
 */
export const DOCTOR_WAIT_MS = DOCTOR_TIMEOUT_SECONDS * 1000 - DOCTOR_DEADLINE_MARGIN_MS + 15_000;

/** The doctor's URL: no targets in its path, and as many runs at once as its reservation or the account's concurrency allows. */
const DOCTOR_WORDING: StatusWording = {
  404: (message) => `The doctor URL answered 404 (${message}): give the DoctorUrl output itself, with no path.`,
  429: () => "The doctor is already running as often as it may at once (429: its doctorReservedConcurrency, or the account's Lambda concurrency, is used up); run it again once a run has answered, in a few minutes.",
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStep = (value: unknown): boolean => isObject(value) && typeof value.step === 'string' && typeof value.ok === 'boolean' && typeof value.ms === 'number';
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

function isTargetHealth(value: unknown): boolean {
  return (
    isObject(value) &&
    ['target', 'accountId', 'roleArn'].every((key) => typeof value[key] === 'string') &&
    typeof value.ok === 'boolean' &&
    isOptionalString(value.problem) &&
    isOptionalString(value.advice) &&
    Array.isArray(value.steps) &&
    value.steps.every(isStep)
  );
}

/** Whatever answers at the doctor URL is untrusted JSON until it has the report's shape. */
function isDoctorReport(value: unknown): value is DoctorReport {
  return isObject(value) && typeof value.checkedAt === 'string' && typeof value.ok === 'boolean' && typeof value.broken === 'number' && Array.isArray(value.targets) && value.targets.every(isTargetHealth);
}

/**
 * Has the doctor read every target's external ID and assume its role; the caller must be one of the
 * broker's operators. It waits as long as the doctor may run, which reports what it had no time for.
 */
export async function checkTargets(options: DoctorOptions = {}): Promise<DoctorReport> {
  const url = safeBrokerUrl(await findUrl(options, options.doctorUrl, DOCTOR_URL));
  const report = await call<unknown>(url, '/', {}, { timeoutMs: DOCTOR_WAIT_MS, ...options }, DOCTOR_WORDING);
  if (!isDoctorReport(report)) {
    throw new BrokerError('upstream', `The doctor URL ${url.origin} answered with JSON that is not a doctor report: check --doctor-url, CONSOLE_BROKER_DOCTOR_URL or the DoctorUrl output.`);
  }
  return report;
}
