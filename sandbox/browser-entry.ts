import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../lib/config';
import type { FakeAws } from '../test/fakes/aws';
import { LocalFunctionUrl, type FunctionHandler } from '../test/fakes/function-url';
import { startOpenIdProvider, type TestUser } from '../test/fakes/oidc';
import { deployedEnvironment, synthesizeBroker } from '../test/support/broker-assembly';
import { bundledHandlerPath } from '../test/support/bundle';
import type { SandboxEntry } from './entry';

/** The person the sandbox's OpenID provider signs in: any password will do. */
export const SANDBOX_PERSON: TestUser = { id: 'alice', email: 'alice@example.com', groups: [] };
const CLIENT_ID = 'console-broker-sandbox';
// What the provider issued; in AWS the operator puts it in the client secret after deploying (README).
const CLIENT_SECRET = 'sandbox-provider-issued-client-secret';

export interface BrowserEntryOptions {
  readonly aws: FakeAws;
  /** The configuration file the rest of the sandbox runs on. */
  readonly configPath: string;
  /** The targets SANDBOX_PERSON may open: the same as the sandbox's IAM caller, the same alice. */
  readonly targets: readonly string[];
  /** 0 picks a free port. */
  readonly port: number;
}

/**
 * The configuration with a browser entry: an `openIdProvider` naming the local provider, and
 * SANDBOX_PERSON's verified e-mail address among the `allowedEmails` of `targets`.
 */
function withBrowserEntry(configPath: string, issuer: string, targets: readonly string[]): ReturnType<typeof parseConfig> {
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as { targets: { name: string; allowedEmails?: string[] }[] };
  return parseConfig({
    ...raw,
    openIdProvider: { issuer, clientId: CLIENT_ID, scopes: ['openid', 'email'] },
    targets: raw.targets.map((target) =>
      targets.includes(target.name) ? { ...target, allowedEmails: [...new Set([...(target.allowedEmails ?? []), SANDBOX_PERSON.email])] } : target,
    ),
  });
}

/**
 * The browser entry behind a local function URL with auth type NONE and a real OpenID provider on
 * this machine (test/fakes/oidc.ts). The provider's address is known only once it listens, so the
 * broker stack is synthesized again here with it, and the browser entry's bundle loaded from that.
 */
export async function startBrowserEntry(options: BrowserEntryOptions): Promise<SandboxEntry> {
  const loaded: { handler?: FunctionHandler } = {};
  // The function URL first: the provider must know its callback URL.
  const functionUrl = new LocalFunctionUrl(
    (event, context) => (loaded.handler ? loaded.handler(event, context) : Promise.reject(new Error('the browser entry is still starting'))),
    new Map(),
    'NONE',
  );
  const url = await functionUrl.start(options.port);
  const provider = await startOpenIdProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${url}auth/callback`], users: [SANDBOX_PERSON] });
  const cdkOut = synthesizeBroker(withBrowserEntry(options.configPath, provider.issuer, options.targets), 'sandbox-web-cdk-out-');

  const env = deployedEnvironment(cdkOut, 'WebFunction');
  const { OIDC_CLIENT_SECRET_ID: clientSecretId, SESSION_KEY_SECRET_ID: sessionKeyId } = env;
  if (clientSecretId === undefined || sessionKeyId === undefined) throw new Error('the synthesized browser entry names no client secret or session key');
  options.aws.secrets.set(clientSecretId, CLIENT_SECRET);
  // A random value, as Secrets Manager generates the session key when the stack is deployed.
  options.aws.secrets.set(sessionKeyId, randomBytes(48).toString('base64url'));
  // What the stack sets, plus what only a provider and a function URL on this machine need.
  for (const [key, value] of Object.entries({ ...env, OIDC_ALLOW_INSECURE_HTTP: 'true', LOCAL_FUNCTION_URL_HTTP: 'true' })) process.env[key] = value;
  loaded.handler = ((await import(pathToFileURL(bundledHandlerPath({ cdkOut, functionId: 'WebFunction' })).href)) as { handler: FunctionHandler }).handler;

  return {
    name: 'browser entry',
    url,
    howToTry: `Open ${url} in a browser (Chromium or Firefox) and sign in at the local OpenID provider as ${SANDBOX_PERSON.id}, any password
(${SANDBOX_PERSON.email}). You may open ${options.targets.join(', ')}.`,
    stop: async () => {
      await functionUrl.stop();
      await provider.stop();
      rmSync(cdkOut, { recursive: true, force: true });
    },
  };
}
