/** Runtime settings read from the environment once, at cold start. */
export interface Settings {
  /** Time allowed to each outbound call (Secrets Manager, STS, the federation endpoint). */
  readonly outboundTimeoutMs: number;
  /** How long an external ID read from Secrets Manager is trusted before it is read again. */
  readonly externalIdMaxAgeMs: number;
  /** Replaces the partition's federation endpoint (private endpoints, tests). */
  readonly federationEndpoint: string | undefined;
  /** Replaces the federation endpoint of the sign-in host that signs out before a login (tests). */
  readonly logoutEndpoint: string | undefined;
  /** Replaces the partition's console origins in the browser entry's form-action (tests, whose console is local). */
  readonly consoleOrigins: string[] | undefined;
}

/** A whole number above zero from the environment, or `fallback` when unset; anything else fails the cold start. */
export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

/** A setting the function cannot start without; its absence fails the cold start, naming it. */
export function requiredSetting(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Space-separated exact origins, such as `https://console.example.com http://127.0.0.1:9301`: no paths, no wildcards. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.trim().split(/\s+/).map((origin) => {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin || origin.includes('*')) throw new Error(`${name} must be origins separated by spaces, got "${origin}"`);
    return origin;
  });
}

/** How long an external ID is trusted unless EXTERNAL_ID_MAX_AGE_SECONDS says otherwise; the rotation waits this long. */
export const DEFAULT_EXTERNAL_ID_MAX_AGE_SECONDS = 300;

/** `outboundTimeoutMs` is the time allowed each call unless OUTBOUND_TIMEOUT_MS says otherwise. */
export function readSettings(env: NodeJS.ProcessEnv, outboundTimeoutMs = 3000): Settings {
  return {
    outboundTimeoutMs: positiveInteger(env, 'OUTBOUND_TIMEOUT_MS', outboundTimeoutMs),
    externalIdMaxAgeMs: positiveInteger(env, 'EXTERNAL_ID_MAX_AGE_SECONDS', DEFAULT_EXTERNAL_ID_MAX_AGE_SECONDS) * 1000,
    federationEndpoint: env.FEDERATION_ENDPOINT || undefined,
    logoutEndpoint: env.LOGOUT_ENDPOINT || undefined,
    consoleOrigins: origins(env, 'CONSOLE_ORIGINS'),
  };
}
