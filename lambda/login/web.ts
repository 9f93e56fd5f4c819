import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readSecretString } from './aws';
import { COOKIE_NAMES, cookieKeys, readCookie, seal, setCookie, unseal, type CookiePurpose } from './cookies';
import { methodNotAllowed, notFound } from './errors';
import { loggedLogin } from './login';
import { accessLog, errorPages, type BrokerContext } from './middleware';
import { OpenIdClient, type SignInTransaction } from './oidc';
import { personFromClaims, personMayOpen, personName, type Person } from './people';
import { parseLogin, type FunctionUrlEvent } from './request';
import { COMMON_HEADERS } from './response';
import { RESERVED_PATHS } from './routes';
import { createRuntime } from './runtime';
import { homePage, messagePage } from './web-pages';

/**
 * The browser entry: a function URL with auth type NONE, so every request is authenticated here, by
 * a session cookie that only a completed sign-in at the company's OpenID provider can produce.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const { registry, clients, login: deps, loginOrigins } = createRuntime(process.env, process.env.CONSOLE_BROKER_REGISTRY);
const issuer = required('OIDC_ISSUER');
const groupsClaim = process.env.OIDC_GROUPS_CLAIM ?? 'groups';
const sessionSeconds = Number(process.env.SESSION_MINUTES ?? '60') * 60;
const SIGNIN_SECONDS = 600;

/** Reads a secret once per execution environment; a failed read is tried again on the next request. */
function secretOnce(secretId: string): () => Promise<string> {
  let value: Promise<string> | undefined;
  return () => {
    value ??= readSecretString(clients.secrets, secretId).catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

const sessionKey = secretOnce(required('SESSION_KEY_SECRET_ID'));
// Derived once: HKDF on every request would be work repeated on the hot path.
let derivedKeys: ReturnType<typeof cookieKeys> | undefined;
const keys = async (): Promise<ReturnType<typeof cookieKeys>> => (derivedKeys ??= cookieKeys(await sessionKey()));
const oidc = new OpenIdClient(
  {
    issuer,
    clientId: required('OIDC_CLIENT_ID'),
    scopes: (process.env.OIDC_SCOPES ?? 'openid email profile').split(' '),
    allowInsecureHttp: process.env.OIDC_ALLOW_INSECURE_HTTP === 'true',
    timeoutSeconds: 5,
  },
  secretOnce(required('OIDC_CLIENT_SECRET_ID')),
);

function origin(event: FunctionUrlEvent): string {
  // Function URLs are HTTPS and say so in X-Forwarded-Proto; the local server says http.
  return `${event.headers['x-forwarded-proto'] ?? 'https'}://${event.requestContext.domainName}`;
}

function redirect(location: string, cookies: string[] = []): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 302, headers: { ...COMMON_HEADERS, location }, cookies, body: '' };
}

const clearCookie = (purpose: CookiePurpose): string => setCookie(COOKIE_NAMES[purpose], '', 0);

/** Only a path on this broker may be returned to after sign-in. */
function safeReturnPath(path: string): string {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') ? path : '/';
}

async function startSignIn(event: FunctionUrlEvent, returnTo: string): Promise<APIGatewayProxyStructuredResultV2> {
  const { url, transaction } = await oidc.signInUrl(`${origin(event)}/auth/callback`, safeReturnPath(returnTo));
  const sealed = await seal({ ...transaction }, (await keys()).signin, 'signin', SIGNIN_SECONDS);
  return redirect(url.href, [setCookie(COOKIE_NAMES.signin, sealed, SIGNIN_SECONDS)]);
}

async function callback(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  context.accessLog.route = 'callback';
  const sealed = readCookie(event.cookies, COOKIE_NAMES.signin);
  const opened = sealed === undefined ? undefined : await unseal(sealed, (await keys()).signin, 'signin');
  if (!opened?.ok) {
    // No sign-in under way in this browser: a replayed, expired or forged callback.
    return { ...messagePage(400, 'Sign-in expired', 'This sign-in was already used or has expired.', { href: '/', text: 'Start again' }), cookies: [clearCookie('signin')] };
  }
  const transaction = opened.payload as unknown as SignInTransaction;
  const claims = await oidc.finish(new URL(`${origin(event)}${event.rawPath}?${event.rawQueryString}`), transaction, [groupsClaim, 'email']);
  const person = personFromClaims(claims, issuer, groupsClaim);
  context.accessLog.caller = `${personName(person)} (${issuer})`;
  const session = await seal(
    { idp: person.issuer, sub: person.subject, email: person.email, email_verified: person.emailVerified, groups: [...person.groups] },
    (await keys()).session,
    'session',
    sessionSeconds,
  );
  return redirect(safeReturnPath(transaction.returnTo), [setCookie(COOKIE_NAMES.session, session, sessionSeconds), clearCookie('signin')]);
}

type Session = { readonly state: 'none' | 'expired' | 'invalid' } | { readonly state: 'valid'; readonly person: Person };

/** The signed-in person, if the session cookie is ours, unexpired, and from the configured provider. */
async function readSession(event: FunctionUrlEvent): Promise<Session> {
  const sealed = readCookie(event.cookies, COOKIE_NAMES.session);
  if (sealed === undefined) return { state: 'none' };
  const opened = await unseal(sealed, (await keys()).session, 'session');
  if (!opened.ok) return { state: opened.reason };
  const { payload } = opened;
  if (payload.idp !== issuer || typeof payload.sub !== 'string') return { state: 'invalid' };
  return { state: 'valid', person: personFromClaims(payload, issuer, 'groups') };
}

async function serve(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  context.accessLog.route = 'web';
  const method = event.requestContext.http.method;
  if (method !== 'GET') throw methodNotAllowed(`method ${method} is not allowed; use GET`);
  const path = event.rawPath;
  const here = `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;

  if (path === '/auth/callback') return callback(event, context);
  if (path === '/logout') {
    return { ...messagePage(200, 'Signed out', 'You are signed out of console-broker. Consoles you opened stay open until they expire.', { href: '/', text: 'Sign in again' }), cookies: [clearCookie('session')] };
  }
  if (path === '/auth/signin') return startSignIn(event, new URLSearchParams(event.rawQueryString).get('returnTo') ?? '/');
  // Browsers ask for these on their own; they must not start a sign-in.
  if (RESERVED_PATHS.includes(path.slice(1))) throw notFound(`nothing at ${path.slice(0, 64)}`);

  const session = await readSession(event);
  if (session.state === 'none') return startSignIn(event, here);
  if (session.state !== 'valid') {
    const [title, message] =
      session.state === 'expired'
        ? ['Session expired', 'Your console-broker session has expired.']
        : ['Sign in again', 'Your console-broker session is not valid here.'];
    return { ...messagePage(401, title, message, { href: `/auth/signin?returnTo=${encodeURIComponent(here)}`, text: 'Sign in again' }), cookies: [clearCookie('session')] };
  }

  const { person } = session;
  const who = `${personName(person)} (${issuer})`;
  context.accessLog.caller = who;
  const mayOpen = (target: (typeof registry.targets)[number]): boolean => personMayOpen(target, person);
  if (path === '/') return homePage(person, registry.targets.filter(mayOpen), registry.partition, loginOrigins);

  const request = parseLogin(event, registry, { id: who, name: personName(person), mayOpen });
  const result = await loggedLogin(deps, request, `${origin(event)}/`, context.accessLog);
  return redirect(result.loginUrl);
}

export const handler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>()
  .use(accessLog())
  .use(errorPages())
  .handler(serve);
