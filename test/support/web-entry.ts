import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { vi } from 'vitest';
import { cookieKeys, seal, type CookieKeys } from '../../lambda/web/cookies';
import { addConsoleBroker } from '../../lib/app';
import { FakeAws } from '../fakes/aws';
import { LocalFunctionUrl, type FunctionHandler } from '../fakes/function-url';
import { startOpenIdProvider, type RunningProvider, type TestUser } from '../fakes/oidc';
import { bundledHandlerPath } from './bundle';
import { testConfig } from './config';

export const READONLY_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';
export const BILLING_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerBilling';
export const CLIENT_ID = 'console-broker';
export const CLIENT_SECRET = 'provider-issued-client-secret';
export const CLIENT_SECRET_ID = 'console-broker/oidc-client-secret';
export const SESSION_KEY_ID = 'console-broker/session-key';

export const DEFAULT_USERS: readonly TestUser[] = [
  { id: 'alice', email: 'alice@example.com', groups: ['admins'] },
  { id: 'bob', email: 'bob@example.com', groups: ['devs'] },
  { id: 'carol', email: 'carol@example.com', groups: [] },
];

const WEB_TARGETS = [
  { name: 'prod-readonly', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly', allowedGroups: ['admins'] },
  { name: 'prod-billing', accountId: '222222222222', roleName: 'ConsoleBrokerBilling', allowedEmails: ['Carol@example.com'] },
  { name: 'locked', accountId: '222222222222', roleName: 'ConsoleBrokerLocked' },
];

function webConfig(issuer: string, targets: readonly Record<string, unknown>[]): ReturnType<typeof testConfig> {
  return testConfig({ openIdProvider: { issuer, clientId: CLIENT_ID, scopes: ['openid', 'email', 'groups'] }, targets });
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly location: string | null;
  readonly headers: Headers;
  /** Set-Cookie lines, whole. */
  readonly setCookies: string[];
}

export interface RequestOptions {
  readonly method?: string;
  readonly cookies?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What a browser sends when a person types the broker's address: a top-level navigation of their own. */
export const TYPED = { accept: 'text/html', 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' } as const;

export interface WebEntry {
  readonly aws: FakeAws;
  readonly provider: RunningProvider;
  /** The local function URL, with a trailing slash. */
  readonly base: string;
  /** Keys of the session key the fake Secrets Manager holds as current. */
  readonly keys: CookieKeys;
  /** Everything the Lambda wrote to standard output. */
  readonly logs: string[];
  /** The bundled handler itself, for events no HTTP client can send. */
  readonly handler: FunctionHandler;
  /** The environment the stack gives the function. */
  readonly deployedEnv: Readonly<Record<string, string>>;
  /** A session cookie as the broker seals it after a sign-in, for `claims` (alice in admins by default). */
  session(claims?: Record<string, unknown>, keys?: CookieKeys, ttlSeconds?: number): Promise<string>;
  request(path: string, options?: RequestOptions): Promise<Answer>;
  /**
   * Signs `user` in at the provider's own pages without a browser, from a visit to `path`, and answers
   * the broker's response to the provider's redirect back, with the cookies the broker set.
   */
  signIn(user: string, path?: string): Promise<{ readonly callback: Answer; readonly cookies: Record<string, string> }>;
  /** While set, the provider's redirect back is caught before the broker sees it. */
  catchCallback: ((path: string) => void) | undefined;
  stop(): Promise<void>;
}

export interface WebEntryOptions {
  readonly users?: readonly TestUser[];
  /** Environment for the Lambda beyond what the stack sets. */
  readonly env?: Record<string, string>;
  /** The configuration's targets, as in its JSON; by default prod-readonly (admins), prod-billing (carol) and locked (nobody). */
  readonly targets?: readonly Record<string, unknown>[];
}

/** Answers with the name and value of each Set-Cookie line. */
function cookieValues(setCookies: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of setCookies) {
    const pair = line.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) found[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return found;
}

/**
 * The browser entry as deployed: synthesized with a real OpenID provider on this machine, bundled by
 * esbuild and loaded from the asset, behind a local function URL with auth type NONE, with the fakes of
 * STS, Secrets Manager and the federation endpoint. Loads the bundle into this test file's module graph,
 * so call it once per file.
 */
export async function startWebEntry(options: WebEntryOptions = {}): Promise<WebEntry> {
  const aws = new FakeAws();
  await aws.start();
  const entry: { handler?: FunctionHandler; catchCallback: WebEntry['catchCallback'] } = { catchCallback: undefined };
  // The function URL first: the provider must know its callback URL.
  const server = new LocalFunctionUrl(
    (event, context) => {
      if (entry.catchCallback && event.rawPath === '/auth/callback') {
        entry.catchCallback(`${event.rawPath}?${event.rawQueryString}`);
        return Promise.resolve({ statusCode: 204 });
      }
      return entry.handler ? entry.handler(event, context) : Promise.reject(new Error('not ready'));
    },
    new Map(),
    'NONE',
  );
  const base = await server.start();
  const provider = await startOpenIdProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${base}auth/callback`],
    users: options.users ?? DEFAULT_USERS,
  });
  const outdir = mkdtempSync(path.join(tmpdir(), 'web-cdk-out-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  addConsoleBroker(app, webConfig(provider.issuer, options.targets ?? WEB_TARGETS));
  app.synth();
  for (const [role, target] of [[READONLY_ROLE, 'prod-readonly'], [BILLING_ROLE, 'prod-billing']] as const) {
    aws.roles.set(role, { externalId: `externalIdOf-${target}-0123456789` });
    aws.secrets.set(`console-broker/external-id/${target}`, `externalIdOf-${target}-0123456789`);
  }
  const sessionKey = randomBytes(32).toString('base64url');
  aws.secrets.set(CLIENT_SECRET_ID, CLIENT_SECRET);
  aws.secrets.set(SESSION_KEY_ID, sessionKey);

  const template = JSON.parse(readFileSync(path.join(outdir, 'ConsoleBroker.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, string> } } }>;
  };
  const deployedEnv =
    Object.entries(template.Resources).find(([id, r]) => id.startsWith('WebFunction') && r.Type === 'AWS::Lambda::Function')?.[1].Properties.Environment?.Variables ?? {};
  // What the stack sets, plus what only a provider and a function URL on this machine need.
  const env = { ...aws.env(), ...deployedEnv, OIDC_ALLOW_INSECURE_HTTP: 'true', LOCAL_FUNCTION_URL_HTTP: 'true', ...options.env };
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  const logs: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logs.push(String(chunk));
    return true;
  });
  const bundle = (await import(pathToFileURL(bundledHandlerPath({ cdkOut: outdir, functionId: 'WebFunction' })).href)) as { handler: FunctionHandler };
  entry.handler = bundle.handler;
  const keys = cookieKeys(sessionKey);

  async function request(target: string, { method = 'GET', cookies = {}, headers = {}, body }: RequestOptions = {}): Promise<Answer> {
    const url = new URL(target, base);
    const cookie = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { method, headers: { ...headers, ...(cookie ? { cookie } : {}) }, body, redirect: 'manual' });
    return { status: response.status, body: await response.text(), location: response.headers.get('location'), headers: response.headers, setCookies: response.headers.getSetCookie() };
  }

  async function signIn(user: string, start = '/'): Promise<{ callback: Answer; cookies: Record<string, string> }> {
    // Every server is on 127.0.0.1, and cookies do not tell ports apart: one jar, as in a browser.
    const jar: Record<string, string> = {};
    let answer = await request(start, { headers: TYPED });
    Object.assign(jar, cookieValues(answer.setCookies));
    let next: { url: string; method: string; body?: string } | undefined = answer.location ? { url: answer.location, method: 'GET' } : undefined;
    while (next) {
      const url: URL = new URL(next.url, base);
      if (url.href.startsWith(`${base}auth/callback`)) break;
      answer = await request(url.href, { method: next.method, cookies: jar, headers: { accept: 'text/html', ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body: next.body });
      Object.assign(jar, cookieValues(answer.setCookies));
      const action = /<form[^>]*action="([^"]+)"/.exec(answer.body)?.[1];
      if (answer.location) next = { url: new URL(answer.location, url).href, method: 'GET' };
      else if (action) {
        // The provider's sign-in page takes any password; its consent page takes a click.
        const prompt = /name="prompt" value="([^"]+)"/.exec(answer.body)?.[1] ?? '';
        const form = new URLSearchParams(prompt === 'login' ? { prompt, login: user, password: 'anything' } : { prompt });
        next = { url: new URL(action.replace(/&#x2F;|&#47;/g, '/'), url).href, method: 'POST', body: form.toString() };
      } else throw new Error(`the provider answered ${String(answer.status)} with no way on: ${answer.body.slice(0, 200)}`);
    }
    if (!next) throw new Error(`the broker did not send ${user} to the provider: ${String(answer.status)}`);
    const callback = await request(next.url, { cookies: jar, headers: { accept: 'text/html', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
    return { callback, cookies: { ...jar, ...cookieValues(callback.setCookies) } };
  }

  return {
    aws,
    provider,
    base,
    keys,
    logs,
    handler: bundle.handler,
    deployedEnv,
    get catchCallback() {
      return entry.catchCallback;
    },
    set catchCallback(value) {
      entry.catchCallback = value;
    },
    session: (claims = {}, sealWith = keys, ttlSeconds = 600) =>
      seal({ idp: provider.issuer, sub: 'alice', email: 'alice@example.com', email_verified: true, groups: ['admins'], ...claims }, sealWith.session, 'session', ttlSeconds),
    request,
    signIn,
    stop: async () => {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      await server.stop();
      await provider.stop();
      await aws.stop();
    },
  };
}
