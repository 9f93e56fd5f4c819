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

/** The federation endpoint of the sign-in host that signs out before a login, unless LOGOUT_ENDPOINT names another (tests). */
export function logoutEndpoint(partition: Partition, override: string | undefined): URL {
  return new URL(override || `${PARTITIONS[partition].logoutOrigin}/federation`);
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
 * The console's own sign-out, which then follows `redirect_uri` to `login`, a login URL on the same
 * sign-in host, so a browser that holds another console session leaves it first.
 *
 * Two kinds of browser, since the console's multi-session support (January 2025, opt-in per browser;
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/multisession.html):
 * - With multi-session off, the browser holds one session and a login while it holds another does not
 *   replace it; this sign-out first does. The global host (signin.aws.amazon.com) ignores redirect_uri
 *   and leaves the person on the console's front page, so the sign-out, and the token and login inside
 *   it, run on us-east-1's regional sign-in host, whose sign-out follows redirect_uri to itself: what
 *   aws-vault's maintained fork does (ByteNess/aws-vault cli/login.go, PR #1), and the workaround named
 *   in Versent/saml2aws#707.
 * - With multi-session on, a plain login (`loginUrl`) adds a session, up to five, and this sign-out
 *   fails (ByteNess/aws-vault#23: "400 Bad Request"): janus removed its sign-out for that reason
 *   (guardian/janus-app#507), aws-vault made its own opt-in (ByteNess/aws-vault#53), and the AWS CLI's
 *   proposed `aws console` (aws/aws-cli awscli/customizations/console.py) signs in without one.
 * So the login URL is plain unless the caller asks for `logout`, which is for browsers without multi-session.
 */
export function logoutThenLoginUrl(endpoint: URL, login: string): string {
  const url = new URL('/oauth', endpoint);
  url.search = new URLSearchParams({ Action: 'logout', redirect_uri: login }).toString();
  return url.toString();
}
