import { ASSUME_ROLE_DENIED, type AssumeRoleInput, type RoleSession } from './aws';
import { HttpError } from './errors';
import type { ExternalIdCache } from './external-id';
import { loginUrl, logoutThenLoginUrl, SIGNIN_TOKEN_LIFETIME_MS, type SessionCredentials } from './federation';
import type { AccessLogFields } from './middleware';
import type { LoginRequest } from './request';

export interface LoginDependencies {
  readonly externalIds: ExternalIdCache;
  readonly assumeRole: (input: AssumeRoleInput) => Promise<RoleSession>;
  /** Trades the role's credentials for a sign-in token at the federation endpoint `endpoint`. */
  readonly getSigninToken: (credentials: SessionCredentials, endpoint: URL) => Promise<string>;
  /** Where a login signs in: a browser with multi-session on adds it as one more session. */
  readonly federationEndpoint: URL;
  /** Where a login that signs out first runs, token, logout and login alike (lambda/core/federation.ts). */
  readonly logoutEndpoint: URL;
  readonly now: () => Date;
}

export interface LoginResult {
  readonly loginUrl: string;
  /** The sign-in token in the URL stops working at this time. */
  readonly expiresAt: string;
  /** The role session, and with it the console session, ends no later than this. */
  readonly sessionExpiresAt: string;
  readonly target: string;
  readonly accountId: string;
  readonly roleArn: string;
  readonly region: string;
  readonly destination: string;
  /** The SourceIdentity, and the RoleSessionName unless `roleSessionName` is given. */
  readonly sessionName: string;
  /** The RoleSessionName when it is not `sessionName`: the bot that acted for the person. */
  readonly roleSessionName?: string;
  /** The reason the caller gave, shown back. */
  readonly reason?: string;
}

function isAssumeDenied(error: unknown): boolean {
  return error instanceof HttpError && error.code === ASSUME_ROLE_DENIED;
}

/** Assumes the target role; a refusal with a cached external ID re-reads the secret once, so a rotated ID heals. */
async function assumeTargetRole(deps: LoginDependencies, request: LoginRequest, sessionName: string): Promise<RoleSession> {
  const { target } = request;
  const input = (externalId: string): AssumeRoleInput => ({
    roleArn: target.roleArn,
    externalId,
    sessionName: request.roleSessionName ?? sessionName,
    sourceIdentity: sessionName,
  });
  const externalId = await deps.externalIds.get(target.externalIdSecretId);
  try {
    return await deps.assumeRole(input(externalId.value));
  } catch (error) {
    if (externalId.fresh || !isAssumeDenied(error)) throw error;
    return deps.assumeRole(input(await deps.externalIds.reread(target.externalIdSecretId)));
  }
}

/** Awaits a call to AWS and adds the time it took, failed or not, to the access log line's AwsCallMs. */
async function timed<T>(log: AccessLogFields, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await call();
  } finally {
    log.awsCallMs = (log.awsCallMs ?? 0) + (performance.now() - started);
  }
}

async function createLogin(deps: LoginDependencies, request: LoginRequest, issuer: string, log: AccessLogFields): Promise<LoginResult> {
  const { sessionName } = request;
  const session = await timed(log, () => assumeTargetRole(deps, request, sessionName));
  const issuedAt = deps.now();
  const endpoint = request.logout ? deps.logoutEndpoint : deps.federationEndpoint;
  const signinToken = await timed(log, () => deps.getSigninToken(session.credentials, endpoint));
  const login = loginUrl(endpoint, issuer, request.destination, signinToken);
  return {
    loginUrl: request.logout ? logoutThenLoginUrl(endpoint, login) : login,
    expiresAt: new Date(issuedAt.getTime() + SIGNIN_TOKEN_LIFETIME_MS).toISOString(),
    sessionExpiresAt: session.expiration.toISOString(),
    target: request.target.name,
    accountId: request.target.accountId,
    roleArn: request.target.roleArn,
    region: request.region,
    destination: request.destination.toString(),
    sessionName,
    ...(request.roleSessionName === undefined ? {} : { roleSessionName: request.roleSessionName }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
  };
}

/** Opens the login and records on the access log line what was opened, for whom, as which session. */
export async function loggedLogin(deps: LoginDependencies, request: LoginRequest, issuer: string, log: AccessLogFields): Promise<LoginResult> {
  Object.assign(log, {
    route: 'login',
    target: request.target.name,
    region: request.region,
    destination: request.destination.toString(),
    ...(request.person === undefined ? {} : { person: request.person }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
  });
  const result = await createLogin(deps, request, issuer, log);
  log.sessionName = result.sessionName;
  if (result.roleSessionName !== undefined) log.roleSessionName = result.roleSessionName;
  return result;
}
