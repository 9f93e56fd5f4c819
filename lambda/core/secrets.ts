import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { badGateway, gatewayTimeout, HttpError, isTimeout } from './errors';

/** One version of a secret, by its staging label. */
export interface SecretVersion {
  readonly value: string;
  /** When this version was put: a rotation's time, for the version that holds AWSCURRENT. */
  readonly createdAt: Date | undefined;
}

/**
 * The version of `secretId` that holds `stage`, or undefined when no version holds it (a secret never
 * rotated has no AWSPREVIOUS). VersionStage picks the version; AWSCURRENT when it is left out.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export async function readSecretVersion(client: SecretsManagerClient, secretId: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<SecretVersion | undefined> {
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    if (answer.SecretString === undefined) throw badGateway('SecretUnavailable', `secret ${secretId} holds no string value`);
    return { value: answer.SecretString, createdAt: answer.CreatedDate };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof ResourceNotFoundException && stage !== 'AWSCURRENT') return undefined;
    if (isTimeout(error)) throw gatewayTimeout('Secrets Manager did not answer in time', error);
    throw badGateway('SecretUnavailable', `the secret ${secretId} could not be read (${error instanceof Error ? error.name : 'UnknownError'})`, error);
  }
}

/** The current version of a secret an entry cannot work without. */
export async function readCurrentSecret(client: SecretsManagerClient, secretId: string): Promise<SecretVersion> {
  const version = await readSecretVersion(client, secretId, 'AWSCURRENT');
  if (!version) throw badGateway('SecretUnavailable', `the secret ${secretId} has no current value`);
  return version;
}

/**
 * A value read from Secrets Manager and read again once it is older than `maxAgeMs`, so a rotated
 * secret reaches a warm execution environment within that bound. Concurrent requests share one read;
 * a failed read is tried again by the next request.
 */
export class RefreshingSecret<T> {
  private entry: { value: Promise<T>; readAt: number } | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const entry = this.entry;
    if (entry && this.now() - entry.readAt < this.maxAgeMs) return entry.value;
    const value = this.read();
    const fresh = { value, readAt: this.now() };
    this.entry = fresh;
    void value.catch(() => {
      if (this.entry === fresh) this.entry = undefined;
    });
    return value;
  }
}
