import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { vi } from 'vitest';
import { cookieKeys, seal, type CookieKeys } from '../../lambda/web/cookies';
import { FakeAws } from '../fakes/aws';
import { LocalFunctionUrl, type FunctionHandler } from '../fakes/function-url';
import { startOpenIdProvider, type RunningProvider, type TestUser } from '../fakes/oidc';
import { deployedEnvironment, synthesizeBroker } from './broker-assembly';
import { bundledHandlerPath } from './bundle';
import { testConfig } from './config';
import { request as requestAt, signInOverHttp, type Answer, type RequestOptions } from './oidc-sign-in';

export { TYPED, type Answer, type RequestOptions } from './oidc-sign-in';

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
  const outdir = synthesizeBroker(webConfig(provider.issuer, options.targets ?? WEB_TARGETS), 'web-cdk-out-');
  for (const [role, target] of [[READONLY_ROLE, 'prod-readonly'], [BILLING_ROLE, 'prod-billing']] as const) {
    aws.roles.set(role, { externalId: `externalIdOf-${target}-0123456789` });
    aws.secrets.set(`console-broker/external-id/${target}`, `externalIdOf-${target}-0123456789`);
  }
  const sessionKey = randomBytes(32).toString('base64url');
  aws.secrets.set(CLIENT_SECRET_ID, CLIENT_SECRET);
  aws.secrets.set(SESSION_KEY_ID, sessionKey);

  const deployedEnv = deployedEnvironment(outdir, 'WebFunction');
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

  const request = (target: string, options?: RequestOptions): Promise<Answer> => requestAt(base, target, options);

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
    signIn: (user, start) => signInOverHttp(base, user, start),
    stop: async () => {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      await server.stop();
      await provider.stop();
      await aws.stop();
    },
  };
}
