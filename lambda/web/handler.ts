import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { COOKIE_NAMES, MAX_COOKIE_BYTES, readCookie, seal, setCookie, unsealWithAny, type CookieKeys, type CookiePurpose } from './cookies';
import { csrfToken, csrfTokenMatches } from './csrf';
import { badRequest, HttpError, methodNotAllowed, notFound, RetryLaterError } from '../core/errors';
import { loggedLogin } from '../core/login';
import { accessLog, errorPages, type BrokerContext } from '../core/middleware';
import { OpenIdClient, type SignInTransaction } from './oidc';
import { personFromClaims, personMayOpen, personName, type Person } from '../core/people';
import { parseLogin, type FunctionUrlEvent, type LoginRequest } from '../core/request';
import { COMMON_HEADERS } from '../core/response';
import { returnLocation } from './return-to';
import { clearRecentCookie, readRecent, RECENT_COOKIE, recentCookie } from './recent-targets';
import { RESERVED_PATHS } from '../core/routes';
import { createRuntime } from '../core/runtime';
import { CONFIRM_FIELD, CONFIRM_PRODUCTION, confirmLoginPage, CSRF_FIELD, signOutPage } from './web-confirm';
import { homePage, messagePage } from './web-pages';
import { readCurrentSecret, readSecretVersion, RefreshingSecret } from '../core/secrets';
import { TokenExchanges } from './token-exchanges';
import { sessionKeyRing } from './web-secrets';

/**
 * The browser entry: a function URL with auth type NONE, so every request is authenticated here, by
 * a session cookie that only a completed sign-in at the company's OpenID provider can produce.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function positiveWhole(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

const { registry, clients, login: deps, loginOrigins } = createRuntime(process.env, process.env.CONSOLE_BROKER_REGISTRY);
const issuer = required('OIDC_ISSUER');
const groupsClaim = process.env.OIDC_GROUPS_CLAIM ?? 'groups';
const sessionSeconds = Number(process.env.SESSION_MINUTES ?? '60') * 60;
const SIGNIN_SECONDS = 600;
// A function URL is always HTTPS, whatever a request's X-Forwarded-Proto says; only the local server
// of the tests and the sandbox serves plain http. https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
const scheme = process.env.LOCAL_FUNCTION_URL_HTTP === 'true' ? 'http' : 'https';
// A rotated secret reaches a warm execution environment within this bound.
const secretMaxAgeMs = positiveWhole('WEB_SECRET_MAX_AGE_SECONDS', 300) * 1000;
/** Groups that some target admits: the only groups authorization looks at, so the only ones the session keeps. */
const targetGroups = new Set(registry.targets.flatMap((target) => target.allowedGroups));
// A returnTo longer than this would not fit in the sign-in cookie; the person lands on the home page instead.
const MAX_RETURN_TO = 2048;

const sessionKeyId = required('SESSION_KEY_SECRET_ID');
// Keys are derived once per read: HKDF on every request would be work repeated on the hot path.
const sessionKeys = new RefreshingSecret(async () => {
  const [current, previous] = await Promise.all([
    readCurrentSecret(clients.secrets, sessionKeyId),
    readSecretVersion(clients.secrets, sessionKeyId, 'AWSPREVIOUS'),
  ]);
  return sessionKeyRing(current, previous, Math.max(sessionSeconds, SIGNIN_SECONDS) * 1000);
}, secretMaxAgeMs);
// Well above what people signing in ask of one execution environment, which serves one request at a time;
// one address (an office's NAT included) may take a third of them.
const tokenExchanges = new TokenExchanges(positiveWhole('OIDC_TOKEN_EXCHANGES_PER_MINUTE', 60), positiveWhole('OIDC_TOKEN_EXCHANGES_PER_SOURCE_PER_MINUTE', 20), SIGNIN_SECONDS * 1000);
const clientSecretId = required('OIDC_CLIENT_SECRET_ID');
const clientSecret = new RefreshingSecret(async () => (await readCurrentSecret(clients.secrets, clientSecretId)).value, secretMaxAgeMs);
const oidc = new OpenIdClient(
  {
    issuer,
    clientId: required('OIDC_CLIENT_ID'),
    scopes: (process.env.OIDC_SCOPES ?? 'openid email profile').split(' '),
    allowInsecureHttp: process.env.OIDC_ALLOW_INSECURE_HTTP === 'true',
    timeoutSeconds: 5,
  },
  () => clientSecret.get(),
);

function origin(event: FunctionUrlEvent): string {
  return `${scheme}://${event.requestContext.domainName}`;
}

function redirect(location: string, cookies: string[] = []): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 302, headers: { ...COMMON_HEADERS, location }, cookies, body: '' };
}

const clearCookie = (purpose: CookiePurpose): string => setCookie(COOKIE_NAMES[purpose], '', 0);

/** A cookie the browser will keep: a larger one is dropped, and the person would sign in again and again. */
function keptCookie(purpose: CookiePurpose, value: string, maxAgeSeconds: number): string {
  const cookie = setCookie(COOKIE_NAMES[purpose], value, maxAgeSeconds);
  const bytes = Buffer.byteLength(cookie);
  if (bytes > MAX_COOKIE_BYTES) {
    throw new HttpError(400, 'SessionTooLarge', `your sign-in needs a ${String(bytes)}-byte cookie, more than the ${String(MAX_COOKIE_BYTES)} bytes browsers keep, so console-broker cannot keep you signed in; tell the team that runs it`);
  }
  return cookie;
}

async function startSignIn(event: FunctionUrlEvent, returnTo: string): Promise<APIGatewayProxyStructuredResultV2> {
  const { url, transaction } = await oidc.signInUrl(`${origin(event)}/auth/callback`, returnTo.length > MAX_RETURN_TO ? '/' : returnTo);
  const sealed = await seal({ ...transaction }, (await sessionKeys.get()).current.signin, 'signin', SIGNIN_SECONDS);
  return redirect(url.href, [keptCookie('signin', sealed, SIGNIN_SECONDS)]);
}

async function callback(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  context.accessLog.route = 'callback';
  const sealed = readCookie(event.cookies, COOKIE_NAMES.signin);
  const keys = await sessionKeys.get();
  const opened = sealed === undefined ? undefined : await unsealWithAny(sealed, keys.openWith(Date.now()), 'signin');
  const transaction = opened?.ok ? (opened.payload as unknown as SignInTransaction) : undefined;
  // Each sign-in may cost the provider one token exchange, however often its cookie comes back.
  const source = event.requestContext.http.sourceIp;
  const admission = transaction === undefined ? 'spent' : tokenExchanges.admit(transaction.state, source);
  if (transaction === undefined || admission === 'spent') {
    // No sign-in under way in this browser: a replayed, expired or forged callback.
    return { ...messagePage(400, 'Sign-in expired', 'This sign-in was already used or has expired.', { href: '/', text: 'Start again' }), cookies: [clearCookie('signin')] };
  }
  if (admission === 'busy') {
    const seconds = tokenExchanges.secondsUntilFree(source);
    throw new RetryLaterError(429, 'SignInBusy', `too many sign-ins are being completed right now; try again in ${String(seconds)} s`, seconds);
  }
  const claims = await oidc.finish(new URL(`${origin(event)}${event.rawPath}?${event.rawQueryString}`), transaction, [groupsClaim, 'email']);
  const person = personFromClaims(claims, issuer, groupsClaim);
  context.accessLog.caller = `${personName(person)} (${issuer})`;
  const groups = person.groups.filter((group) => targetGroups.has(group));
  const session = await seal(
    { idp: person.issuer, sub: person.subject, email: person.email, email_verified: person.emailVerified, groups },
    keys.current.session,
    'session',
    sessionSeconds,
  );
  return redirect(returnLocation(transaction.returnTo, origin(event)), [keptCookie('session', session, sessionSeconds), clearCookie('signin')]);
}

type Session =
  | { readonly state: 'none' | 'expired' | 'invalid' }
  | { readonly state: 'valid'; readonly person: Person; readonly cookie: string; readonly keys: readonly CookieKeys[]; readonly csrf: string };

/** The signed-in person, if the session cookie is ours, unexpired, and from the configured provider. */
async function readSession(event: FunctionUrlEvent): Promise<Session> {
  const sealed = readCookie(event.cookies, COOKIE_NAMES.session);
  if (sealed === undefined) return { state: 'none' };
  const ring = await sessionKeys.get();
  const keys = ring.openWith(Date.now());
  const opened = await unsealWithAny(sealed, keys, 'session');
  if (!opened.ok) return { state: opened.reason };
  const { payload } = opened;
  if (payload.idp !== issuer || typeof payload.sub !== 'string') return { state: 'invalid' };
  return { state: 'valid', person: personFromClaims(payload, issuer, 'groups'), cookie: sealed, keys, csrf: csrfToken(ring.current, sealed) };
}

/** The form's token, from a body that a function URL may hand over base64-encoded. https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html */
function requireCsrfToken(event: FunctionUrlEvent, session: Session & { state: 'valid' }): void {
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const given = new URLSearchParams(body).get(CSRF_FIELD) ?? '';
  if (!csrfTokenMatches(session.keys, session.cookie, given)) {
    throw new HttpError(403, 'FormNotFromSession', 'this form did not come from your console-broker session; open the page again and use its button');
  }
}

/**
 * The broker's own pages (same-origin) may open a console at once. A browser also says `none` for an
 * address typed or bookmarked, but for a link another program handed it too (a chat or mail app), so
 * `none` opens at once only a plain login: a destination, a sign-out or a reason (logged in the
 * person's name, so they see the one the link gives) first takes a click on the
 * broker's page, as does anything else (another site, or a browser that does not say). A production
 * target opens at once only from the home page's form with its box ticked (same-origin, with
 * `confirm=production`); every other way in takes the confirmation page's click.
 * https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 */
function openedByPerson(event: FunctionUrlEvent, request: LoginRequest, login: LoginQuery): boolean {
  const site = event.headers['sec-fetch-site'];
  // Any link can carry confirm=production: only the broker's own form, its box ticked, stands for the person's confirmation.
  if (request.target.production) return site === 'same-origin' && login.productionConfirmed;
  const plain = !request.logout && request.reason === undefined && !new URLSearchParams(login.query).has('destination');
  return site === 'same-origin' || (site === 'none' && plain);
}

/** A login's query as the core reads it, and whether it carried the home page's production box. */
interface LoginQuery {
  readonly query: string;
  readonly productionConfirmed: boolean;
}

/**
 * Takes the home page's production box (`confirm=production`) off the query: it is this entry's own
 * parameter, so the core's list, and with it the IAM entry, refuses it as unknown.
 */
function takeConfirmation(rawQueryString: string): LoginQuery {
  const params = new URLSearchParams(rawQueryString);
  const given = params.getAll(CONFIRM_FIELD);
  if (given.length === 0) return { query: rawQueryString, productionConfirmed: false };
  if (given.length > 1) throw badRequest(`parameter "${CONFIRM_FIELD}" is given more than once`);
  if (given[0] !== CONFIRM_PRODUCTION) throw badRequest(`${CONFIRM_FIELD} must be ${CONFIRM_PRODUCTION}, the home page's box for a production target`);
  params.delete(CONFIRM_FIELD);
  return { query: params.toString(), productionConfirmed: true };
}

/** A path that names a target; the broker's own paths never do. */
function isLoginPath(path: string): boolean {
  return path !== '/' && !path.startsWith('/auth/') && !RESERVED_PATHS.includes(path.slice(1));
}

const signedOutPage = (): APIGatewayProxyStructuredResultV2 =>
  messagePage(200, 'Signed out', 'You are signed out of console-broker. Consoles you opened stay open until they expire.', { href: '/', text: 'Sign in again' });

/**
 * With a valid session, GET shows the button and only its POST, with the session's token, signs out:
 * another site's link cannot end a session. Without one (expired, not valid here, or gone) there is no
 * session to protect, and the answer deletes both cookies whenever the request carries either, so an
 * expired tab's Sign out still forgets what this browser opened last. Another site's POST carries
 * neither (SameSite=Lax cookies go with a cross-site request only on top-level GET:
 * https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#name-samesite-cookies), so it clears nothing.
 */
async function logout(event: FunctionUrlEvent): Promise<APIGatewayProxyStructuredResultV2> {
  // What this browser opened last goes too: the next person at this browser learns nothing of it.
  const signedOut = { ...signedOutPage(), cookies: [clearCookie('session'), clearRecentCookie()] };
  const session = await readSession(event);
  if (session.state !== 'valid') {
    const carried = [COOKIE_NAMES.session, RECENT_COOKIE].some((name) => readCookie(event.cookies, name) !== undefined);
    return carried ? signedOut : signedOutPage();
  }
  if (event.requestContext.http.method === 'GET') return signOutPage(session.csrf);
  requireCsrfToken(event, session);
  return signedOut;
}

async function serve(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  context.accessLog.route = 'web';
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  // POST only where a broker form posts: the sign-out button and a confirmed login.
  const postable = path === '/logout' || isLoginPath(path);
  if (method !== 'GET' && !(method === 'POST' && postable)) throw methodNotAllowed(`method ${method} is not allowed; use GET${postable ? ' or POST' : ''}`, postable ? ['GET', 'POST'] : ['GET']);
  const here = `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;

  if (path === '/auth/callback') return callback(event, context);
  if (path === '/logout') return logout(event);
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
  if (path === '/') {
    const view = { query: new URLSearchParams(event.rawQueryString).get('q') ?? '', recent: readRecent(event.cookies) };
    return homePage(person, registry.targets.filter(mayOpen), registry.partition, loginOrigins, session.csrf, view);
  }

  // parseLogin also serves the IAM entry, which takes GET only; a confirmed POST asks for the login its GET named.
  const login = takeConfirmation(event.rawQueryString);
  const asGet = { ...event, rawQueryString: login.query, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'GET' } } };
  // A signed-in person learns the names of the targets they may open, never whether another name exists.
  const request = parseLogin(asGet, registry, { id: who, name: personName(person), mayOpen, concealTargets: true });
  // The confirmation page's button is the person's confirmation, production or not.
  if (method === 'POST') requireCsrfToken(event, session);
  // The form posts to this target's own path, never to what the request's path said: `//name` would be another host.
  else if (!openedByPerson(event, request, login)) return confirmLoginPage(request, `/${encodeURIComponent(request.target.name)}${login.query ? `?${login.query}` : ''}`, session.csrf, loginOrigins);
  const result = await loggedLogin(deps, request, `${origin(event)}/`, context.accessLog);
  return redirect(result.loginUrl, [recentCookie(event.cookies, request.target.name)]);
}

export const handler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>()
  .use(accessLog({ entry: 'browser' }))
  .use(errorPages())
  .handler(serve);
