import { badGateway } from './errors';

// ExternalId: 2-1224 characters of [\w+=,.@:/-]. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The external ID a secret holds, trimmed, or an error that says the secret holds none. */
export function externalIdIn(secretId: string, secretString: string): string {
  const value = secretString.trim();
  if (!EXTERNAL_ID.test(value)) {
    throw badGateway('ExternalIdUnavailable', `secret ${secretId} does not hold a valid external ID (2-1224 characters of [\\w+=,.@:/-])`);
  }
  return value;
}

export interface ExternalId {
  readonly value: string;
  /** True when the value was just read from Secrets Manager rather than the cache. */
  readonly fresh: boolean;
}

/** External IDs, read once per execution environment and kept for a bounded age. */
export class ExternalIdCache {
  private readonly entries = new Map<string, { value: string; readAt: number }>();

  constructor(
    private readonly read: (secretId: string) => Promise<string>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(secretId: string): Promise<ExternalId> {
    const entry = this.entries.get(secretId);
    if (entry && this.now() - entry.readAt < this.maxAgeMs) return { value: entry.value, fresh: false };
    return { value: await this.reread(secretId), fresh: true };
  }

  /** Reads the secret again, replacing what the cache held. */
  async reread(secretId: string): Promise<string> {
    this.entries.delete(secretId);
    const value = externalIdIn(secretId, await this.read(secretId));
    this.entries.set(secretId, { value, readAt: this.now() });
    return value;
  }
}
