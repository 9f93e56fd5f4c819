import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface OpenIdProviderOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly users: readonly TestUser[];
}

export interface RunningProvider {
  readonly issuer: string;
  /**
   * How many requests the provider has had at `path`. A client discovers the provider by GET of
   * `/.well-known/openid-configuration` under the issuer (https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest)
   * and trades a code at the token endpoint the document names, `/token` here
   * (https://openid.net/specs/openid-connect-core-1_0.html#TokenEndpoint): the counts are what a
   * provider's rate limit sees, not a rule the fake enforces.
   */
  requests(path: string): number;
  /**
   * While true the provider is down and answers every request, discovery included, with 503
   * (https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4); openid-client then fails the discovery, which
   * the broker must back off from rather than repeat per request.
   */
  unavailable: boolean;
  stop(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 with its development sign-in pages: a
 * listed user signs in by name (the password is not checked), then consents.
 */
export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<RunningProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const users = new Map(options.users.map((u) => [u.id, u]));

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'groups'],
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: user.email, email_verified: true, groups: [...user.groups] }),
      };
    },
    pkce: { required: () => true },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  const counts = new Map<string, number>();
  const state = { unavailable: false };
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (state.unavailable) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    void callback(req, res);
  });
  return {
    issuer,
    requests: (path) => counts.get(path) ?? 0,
    get unavailable() {
      return state.unavailable;
    },
    set unavailable(value) {
      state.unavailable = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
