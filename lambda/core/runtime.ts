import { assumeRole, createAwsClients, readSecretString, type AwsClients } from './aws';
import { ExternalIdCache } from './external-id';
import { federationEndpoint, getSigninToken, logoutEndpoint } from './federation';
import type { LoginDependencies } from './login';
import { consoleOrigins } from './partition';
import { parseRegistry, type Registry } from './registry';
import { readSettings } from './settings';

export interface Runtime {
  readonly registry: Registry;
  readonly clients: AwsClients;
  readonly login: LoginDependencies;
  /** Every origin a login URL's redirects visit, from the federation endpoint to the console page. */
  readonly loginOrigins: readonly string[];
}

/**
 * What each entry builds once per execution environment, from its environment. `maxAttempts` is how
 * often each AWS call is tried (createAwsClients).
 */
export function createRuntime(env: NodeJS.ProcessEnv, registryText: string | undefined, maxAttempts?: number): Runtime {
  const registry = parseRegistry(registryText);
  const settings = readSettings(env);
  const clients = createAwsClients(settings.outboundTimeoutMs, maxAttempts);
  const endpoint = federationEndpoint(registry.partition, settings.federationEndpoint);
  const logout = logoutEndpoint(registry.partition, settings.logoutEndpoint);
  return {
    registry,
    clients,
    login: {
      externalIds: new ExternalIdCache((secretId) => readSecretString(clients.secrets, secretId), settings.externalIdMaxAgeMs),
      assumeRole: (input) => assumeRole(clients.sts, input),
      getSigninToken: (credentials, at) => getSigninToken(clients.http, at, credentials),
      federationEndpoint: endpoint,
      logoutEndpoint: logout,
      now: () => new Date(),
    },
    loginOrigins: [...new Set([endpoint.origin, logout.origin]), ...(settings.consoleOrigins ?? consoleOrigins(registry.partition))],
  };
}
