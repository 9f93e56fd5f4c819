import type { Readable } from 'node:stream';
import { HttpRequest } from '@smithy/core/protocols';
import { streamCollector, type NodeHttpHandler } from '@smithy/node-http-handler';
import { badGateway, gatewayTimeout, isTimeout } from './errors';
import { PARTITIONS, type Partition } from './partition';

export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** A sign-in token is good for 15 minutes after it is issued. */
export const SIGNIN_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

/** The partition's federation endpoint, unless FEDERATION_ENDPOINT names another (private endpoints, tests). */
export function federationEndpoint(partition: Partition, override: string | undefined): URL {
  return new URL(override || `${PARTITIONS[partition].signinOrigin}/federation`);
}

/**
 * Trades role credentials for a sign-in token. No SessionDuration: with role-chained credentials the
 * endpoint refuses it with 400 "Invalid credentials parameter".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
 */
export async function getSigninToken(http: NodeHttpHandler, endpoint: URL, credentials: SessionCredentials): Promise<string> {
  const session = JSON.stringify({
    sessionId: credentials.accessKeyId,
    sessionKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: endpoint.pathname,
    query: { Action: 'getSigninToken', Session: session },
    headers: { host: endpoint.host, accept: 'application/json' },
  });

  // The SDK's own HTTP handler, already loaded for STS, rather than fetch, whose first call loads undici.
  let status: number;
  let body: string;
  try {
    const { response } = await http.handle(request);
    status = response.statusCode;
    body = Buffer.from(await streamCollector(response.body as Readable)).toString('utf8');
  } catch (error) {
    if (isTimeout(error)) throw gatewayTimeout('the AWS federation endpoint did not answer in time', error);
    throw badGateway('FederationUnreachable', 'the AWS federation endpoint could not be reached', error);
  }
  if (status !== 200) {
    throw badGateway('FederationRefused', `the AWS federation endpoint answered ${status} instead of a sign-in token`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const kind = /^\s*</.test(body) ? 'an HTML page' : 'something that is not JSON';
    throw badGateway('FederationBadAnswer', `the AWS federation endpoint answered with ${kind} instead of a sign-in token`);
  }
  const token = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).SigninToken : undefined;
  if (typeof token !== 'string' || token === '') {
    throw badGateway('FederationBadAnswer', 'the AWS federation endpoint answered without a SigninToken');
  }
  return token;
}

/** The URL that signs a browser in to the console at `destination`. */
export function loginUrl(endpoint: URL, issuer: string, destination: URL, signinToken: string): string {
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    Action: 'login',
    Issuer: issuer,
    Destination: destination.toString(),
    SigninToken: signinToken,
  }).toString();
  return url.toString();
}

/**
 * The console's own sign-out, which then follows `redirect_uri` to the login URL, so a browser that
 * holds another console session leaves it first (the console keeps one session per browser).
 */
export function logoutThenLoginUrl(endpoint: URL, login: string): string {
  const url = new URL('/oauth', endpoint);
  url.search = new URLSearchParams({ Action: 'logout', redirect_uri: login }).toString();
  return url.toString();
}
