/** Runtime settings read from the environment once, at cold start. */
export interface Settings {
  /** Time allowed to each outbound call (Secrets Manager, STS, the federation endpoint). */
  readonly outboundTimeoutMs: number;
  /** How long an external ID read from Secrets Manager is trusted before it is read again. */
  readonly externalIdMaxAgeMs: number;
  /** Replaces the partition's federation endpoint (private endpoints, tests). */
  readonly federationEndpoint: string | undefined;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    outboundTimeoutMs: positiveInteger(env, 'OUTBOUND_TIMEOUT_MS', 3000),
    externalIdMaxAgeMs: positiveInteger(env, 'EXTERNAL_ID_MAX_AGE_SECONDS', 300) * 1000,
    federationEndpoint: env.FEDERATION_ENDPOINT || undefined,
  };
}
