import type { APIGatewayEventRequestContextIAMAuthorizer, LambdaFunctionURLEvent } from 'aws-lambda';
import { delegatedSessionName, delegationRefusal, isDelegator, GROUPS_PARAMETER, parseOnBehalf, PERSON_PARAMETER, type OnBehalf } from './delegation';
import { destinationUrl, serviceUrl, validateRegion } from './destination';
import { badRequest, forbidden, HttpError, methodNotAllowed, notFound } from './errors';
import { callerIdentity, delegatorSessionName } from './identity';
import { parseReason } from './reason';
import { isCallerAllowed, type Registry, type Target } from './registry';

/** A function URL event; `authorizer.iam` is there only when the URL's auth type is AWS_IAM. */
export type FunctionUrlEvent = LambdaFunctionURLEvent & {
  readonly requestContext: {
    readonly authorizer?: { readonly iam?: Partial<APIGatewayEventRequestContextIAMAuthorizer['iam']> };
  };
};

export type ResponseFormat = 'html' | 'json';

export interface LoginRequest {
  readonly target: Target;
  /** Who asked, for the log: an IAM principal ARN or a person at the OpenID provider. */
  readonly caller: string;
  /** SourceIdentity, and RoleSessionName unless `roleSessionName` is given: the caller's identity, distinct for distinct callers and fit for STS. */
  readonly sessionName: string;
  /** RoleSessionName when it is not the SourceIdentity: the bot that acts for a person names itself here. */
  readonly roleSessionName?: string;
  readonly region: string;
  readonly destination: URL;
  /** Log the browser out of its current console session before signing in. */
  readonly logout: boolean;
  /** Why the login was asked for (a ticket ID or a sentence), from `parseReason`: logged and shown back. */
  readonly reason?: string;
  /** The person a delegator bot (the caller) acts for, by e-mail address; the session is named after them. */
  readonly person?: string;
}

/** The error code of a login that a target requiring a reason refuses for want of one. */
export const REASON_REQUIRED = 'ReasonRequired';

const PARAMETERS = ['target', 'region', 'service', 'destination', 'logout', 'reason'] as const;
type Parameter = (typeof PARAMETERS)[number];

/** Browsers ask for HTML and get a redirect; everything else (bots, curl, the CLI) gets JSON. */
export function responseFormat(accept: string | undefined): ResponseFormat {
  return accept !== undefined && /\btext\/html\b/i.test(accept) ? 'html' : 'json';
}

function readParameters(rawQueryString: string): Partial<Record<Parameter, string>> {
  const params = new URLSearchParams(rawQueryString);
  const found: Partial<Record<Parameter, string>> = {};
  for (const [key, value] of params) {
    const name = PARAMETERS.find((p) => p === key);
    if (name === undefined) {
      throw badRequest(`unknown parameter "${key.slice(0, 40)}"; accepted: ${PARAMETERS.join(', ')}`);
    }
    // A repeated parameter is ambiguous, and ambiguity is how filters are slipped past.
    if (found[name] !== undefined) throw badRequest(`parameter "${name}" is given more than once`);
    found[name] = value;
  }
  return found;
}

function parseLogout(value: string | undefined): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true' || value === '') return true;
  throw badRequest('logout must be 1 or 0');
}

/** The target's name: the path `/<target>` or, on `/`, the `target` parameter. */
function targetName(rawPath: string, fromQuery: string | undefined): string {
  let fromPath: string;
  try {
    fromPath = decodeURIComponent(rawPath.replace(/^\/+|\/+$/g, ''));
  } catch {
    throw badRequest('the path is not validly percent-encoded');
  }
  if (fromPath !== '' && fromQuery !== undefined) throw badRequest('name the target in the path or the target parameter, not both');
  const name = fromPath || fromQuery;
  if (name === undefined || name === '') throw badRequest('no target named: call /<target>');
  return name;
}

/**
 * Refuses an event that does not name this function's URL: the host must be the URL's domain, and in
 * Lambda that domain must be `<url-id>.lambda-url.<region>.on.aws` in the function's own region
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html). Lambda sets
 * AWS_LAMBDA_FUNCTION_NAME in every function and no configuration can
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * so the local sandbox's 127.0.0.1 is accepted only outside Lambda. A direct Invoke by someone who
 * copies a real event passes this: only the broker account's policies stop that (README, Security model).
 */
export function requireOwnUrl(event: FunctionUrlEvent, env: NodeJS.ProcessEnv): void {
  const { domainName, domainPrefix, apiId } = event.requestContext;
  const ownDomain = domainPrefix === apiId && domainName === `${apiId}.lambda-url.${env.AWS_REGION ?? ''}.on.aws`;
  const inLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  if (event.headers.host !== domainName || (inLambda && !ownDomain)) {
    throw forbidden('the request did not come through this function URL');
  }
}

/** The caller that AWS authenticated for an AWS_IAM function URL. */
export function callerArnOf(event: FunctionUrlEvent): string {
  const callerArn = event.requestContext.authorizer?.iam?.userArn;
  if (!callerArn) throw forbidden('the request carries no IAM caller; sign it with SigV4 for service lambda');
  return callerArn;
}

export function targetsFor(registry: Registry, callerArn: string): Target[] {
  return registry.targets.filter((target) => isCallerAllowed(target, callerArn));
}

function requireGet(event: FunctionUrlEvent): void {
  const method = event.requestContext.http.method;
  if (method !== 'GET') throw methodNotAllowed(`method ${method} is not allowed; use GET`);
}

/**
 * The IAM entry's `for` and `groups` parameters, each at most once, and the query without them: only
 * this entry reads them, so the browser entry, whose people are signed in, refuses them as unknown.
 */
export function takeOnBehalf(rawQueryString: string): { readonly onBehalf: OnBehalf | undefined; readonly rest: string } {
  const params = new URLSearchParams(rawQueryString);
  if (!params.has(PERSON_PARAMETER) && !params.has(GROUPS_PARAMETER)) return { onBehalf: undefined, rest: rawQueryString };
  const once = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length > 1) throw badRequest(`parameter "${name}" is given more than once`);
    params.delete(name);
    return values[0];
  };
  const onBehalf = parseOnBehalf(once(PERSON_PARAMETER), once(GROUPS_PARAMETER));
  return { onBehalf, rest: params.toString() };
}

/** `GET /targets`: the caller and the targets it may open (for the person it names, if any), and nothing of the others. */
export function listTargets(event: FunctionUrlEvent, registry: Registry): TargetList {
  requireGet(event);
  const { onBehalf, rest } = takeOnBehalf(event.rawQueryString);
  if (rest !== '') throw badRequest(`/targets takes no parameters but ${PERSON_PARAMETER} and ${GROUPS_PARAMETER}`);
  const callerArn = callerArnOf(event);
  const targets = onBehalf === undefined ? targetsFor(registry, callerArn) : delegatedTargets(registry, callerArn, onBehalf);
  return {
    caller: callerArn,
    ...(onBehalf === undefined ? {} : { person: onBehalf.email }),
    targets: targets.map((t) => ({ name: t.name, accountId: t.accountId, roleArn: t.roleArn, defaultRegion: t.defaultRegion })),
  };
}

/** What a delegator may open for a person; a caller that is a delegator of no target may name nobody. */
function delegatedTargets(registry: Registry, callerArn: string, onBehalf: OnBehalf): Target[] {
  if (!registry.targets.some((t) => isDelegator(registry, t, callerArn))) {
    throw forbidden(`${callerArn} may not act for a person: it is among no target's or the registry's allowedDelegators`);
  }
  return registry.targets.filter((t) => delegationRefusal(registry, t, callerArn, onBehalf) === undefined);
}

export interface TargetList {
  readonly caller: string;
  /** The person a delegator asked for. */
  readonly person?: string;
  readonly targets: readonly { readonly name: string; readonly accountId: string; readonly roleArn: string; readonly defaultRegion: string }[];
}

export interface Caller {
  /** For the log and for error messages. */
  readonly id: string;
  /** SourceIdentity (and RoleSessionName unless `roleSessionName` says otherwise): `callerIdentity` or `personName`, already fit for STS. */
  readonly name: string;
  /** RoleSessionName when it is not `name`; see LoginRequest.roleSessionName. */
  readonly roleSessionName?: string;
  readonly mayOpen: (target: Target) => boolean;
  /** Why `mayOpen` refuses a target, when the entry can say more than that the caller is not allowed. */
  readonly refusal?: (target: Target) => string | undefined;
  /**
   * Refuse a target the caller may not open exactly as one that does not exist: the same status and
   * words, after the same work, so that the answers never tell which target names exist.
   * @default false: a target that exists but is not the caller's is a 403 that says so
   */
  readonly concealTargets?: boolean;
}

/**
 * Turns a login event into a validated request for a caller that the entry (IAM or OpenID) has already
 * authenticated, or throws the error to answer with.
 */
export function parseLogin(event: FunctionUrlEvent, registry: Registry, caller: Caller): LoginRequest {
  requireGet(event);
  const params = readParameters(event.rawQueryString);
  return resolveLogin(registry, caller, { ...params, target: targetName(event.rawPath, params.target) });
}

/** What a caller asks to open, however its entry read it: a query string, or the words of a Slack command. */
export interface LoginParameters {
  readonly target: string;
  readonly service?: string;
  readonly region?: string;
  readonly destination?: string;
  readonly logout?: string;
  /** Unchecked text; `parseReason` checks it here for every entry. */
  readonly reason?: string;
}

const targetList = (targets: readonly Target[]): string => (targets.length > 0 ? targets.map((t) => t.name).join(', ') : 'none');

/** The target named: a 404 if there is none, a 403 naming the caller if it is not theirs. */
function namedTarget(registry: Registry, caller: Caller, name: string): Target {
  const target = registry.targets.find((t) => t.name === name);
  if (!target) throw notFound(`no target named "${name.slice(0, 64)}"; targets you may open: ${targetList(registry.targets.filter(caller.mayOpen))}`);
  if (!caller.mayOpen(target)) throw forbidden(caller.refusal?.(target) ?? `${caller.id} is not allowed to open target "${target.name}"`);
  return target;
}

/**
 * The target named, looked up only among those the caller may open: one that exists but is not theirs
 * takes the same steps to the same 404 as one that does not exist.
 */
function openableTarget(registry: Registry, caller: Caller, name: string): Target {
  const yours = registry.targets.filter(caller.mayOpen);
  const target = yours.find((t) => t.name === name);
  if (!target) throw notFound(`you may open no target named "${name.slice(0, 64)}"; targets you may open: ${targetList(yours)}`);
  return target;
}

/** Checks a login's parameters against the registry and the caller's rights, or throws the error to answer with. */
export function resolveLogin(registry: Registry, caller: Caller, params: LoginParameters): LoginRequest {
  const target = caller.concealTargets ? openableTarget(registry, caller, params.target) : namedTarget(registry, caller, params.target);
  const reason = parseReason(params.reason);
  if (target.requireReason && reason === undefined) {
    throw new HttpError(400, REASON_REQUIRED, `target "${target.name}" requires a reason for every login: give a ticket ID or a sentence in reason`);
  }

  if (params.service !== undefined && params.destination !== undefined) {
    throw badRequest('give service or destination, not both');
  }
  const region = params.region === undefined ? target.defaultRegion : validateRegion(registry.partition, params.region);
  const destination =
    params.destination !== undefined
      ? destinationUrl(registry.partition, params.destination, region)
      : serviceUrl(registry.partition, params.service ?? 'home', region);

  return {
    target,
    caller: caller.id,
    sessionName: caller.name,
    ...(caller.roleSessionName === undefined ? {} : { roleSessionName: caller.roleSessionName }),
    region,
    destination,
    logout: parseLogout(params.logout),
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * The IAM entry: the caller is the principal AWS authenticated for the AWS_IAM function URL. With
 * `onBehalf` (from `takeOnBehalf`, and `event` without its parameters) the caller is a bot that names
 * a person: authorized as its delegator, and the person by the target's people rules, never by the
 * bot's own allowedCallers; the session is named after the person.
 */
export function parseLoginRequest(event: FunctionUrlEvent, registry: Registry, onBehalf?: OnBehalf): LoginRequest {
  requireGet(event);
  const callerArn = callerArnOf(event);
  if (onBehalf === undefined) {
    return parseLogin(event, registry, { id: callerArn, name: callerIdentity(callerArn), mayOpen: (t) => isCallerAllowed(t, callerArn) });
  }
  const refusal = (t: Target): string | undefined => delegationRefusal(registry, t, callerArn, onBehalf);
  // SourceIdentity names the person, and stays with the session through any role chaining; the
  // RoleSessionName names the bot, so the target account's CloudTrail (which never sees our access log)
  // shows that a bot vouched for the person, and which one: the ARN reads assumed-role/<role>/bot=<bot>.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
  const caller: Caller = {
    id: callerArn,
    name: delegatedSessionName(onBehalf, callerArn),
    roleSessionName: delegatorSessionName(callerArn),
    mayOpen: (t) => refusal(t) === undefined,
    refusal,
  };
  return { ...parseLogin(event, registry, caller), person: onBehalf.email };
}
