import { randomUUID } from 'node:crypto';

interface SecretVersion {
  readonly value: string;
  readonly stages: Set<string>;
  /** When the version was put, as GetSecretValue's CreatedDate reports it. */
  readonly createdAt: Date;
}

/**
 * The secrets of the fake Secrets Manager, each with versions and staging labels as Secrets Manager
 * keeps them: a label is on at most one version of a secret; putting a value without labels moves
 * AWSCURRENT to it and AWSPREVIOUS to the version that held AWSCURRENT; a version without labels is
 * deprecated. https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version
 * and https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
 */
/** What DescribeSecret tells of a secret besides its versions. */
export interface SecretMetadata {
  /** Tags, such as the aws:cloudformation:* ones CloudFormation puts on what it creates. */
  readonly tags: Readonly<Record<string, string>>;
  /** When a scheduled deletion ends; the secret keeps its name until then. */
  readonly deletedDate?: Date;
}

export class SecretStore {
  private readonly secrets = new Map<string, Map<string, SecretVersion>>();
  private readonly metadata = new Map<string, SecretMetadata>();

  /** Puts a new current value, as PutSecretValue with no staging labels does. */
  set(name: string, value: string): this {
    this.put(name, value, ['AWSCURRENT']);
    return this;
  }

  /** The value of a secret's version that holds `stage`. */
  get(name: string, stage = 'AWSCURRENT'): string | undefined {
    return this.versionWith(name, stage)?.[1].value;
  }

  has(name: string): boolean {
    return this.secrets.has(name);
  }

  delete(name: string): boolean {
    this.metadata.delete(name);
    return this.secrets.delete(name);
  }

  clear(): void {
    this.secrets.clear();
    this.metadata.clear();
  }

  /** Adds tags, as TagResource or CloudFormation's stack-level tags do. */
  tag(name: string, tags: Readonly<Record<string, string>>): this {
    const before = this.describe(name);
    this.metadata.set(name, { ...before, tags: { ...before.tags, ...tags } });
    return this;
  }

  /**
   * DeleteSecret with a recovery window: the secret stays, unreadable and under its name, until `deletedDate`
   * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_delete-secret.html).
   */
  scheduleDeletion(name: string, deletedDate: Date): this {
    this.metadata.set(name, { ...this.describe(name), deletedDate });
    return this;
  }

  describe(name: string): SecretMetadata {
    return this.metadata.get(name) ?? { tags: {} };
  }

  /** Every value of every version: what a leak check looks for. */
  values(): string[] {
    return [...this.secrets.values()].flatMap((versions) => [...versions.values()].map((v) => v.value));
  }

  /** The value of one version, by its ID. */
  getVersion(name: string, versionId: string): string | undefined {
    return this.secrets.get(name)?.get(versionId)?.value;
  }

  /** When a version was put. */
  createdAt(name: string, versionId: string): Date | undefined {
    return this.secrets.get(name)?.get(versionId)?.createdAt;
  }

  /** The version ID that holds `stage`. */
  versionIdWith(name: string, stage: string): string | undefined {
    return this.versionWith(name, stage)?.[0];
  }

  /** Version IDs and their staging labels, as DescribeSecret answers VersionIdsToStages. */
  stages(name: string): Record<string, string[]> | undefined {
    const versions = this.secrets.get(name);
    if (!versions) return undefined;
    return Object.fromEntries([...versions].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages]]));
  }

  /** PutSecretValue: a new version holding `stages` (AWSCURRENT when none are given). */
  put(name: string, value: string, stages: readonly string[], versionId: string = randomUUID()): string {
    const versions = this.secrets.get(name) ?? new Map<string, SecretVersion>();
    this.secrets.set(name, versions);
    versions.set(versionId, { value, stages: new Set(), createdAt: new Date() });
    for (const stage of stages.length > 0 ? stages : ['AWSCURRENT']) this.moveStage(name, stage, versionId);
    return versionId;
  }

  /** UpdateSecretVersionStage: moves `stage` to `versionId`, or removes it when `versionId` is undefined. */
  moveStage(name: string, stage: string, versionId: string | undefined): void {
    const versions = this.secrets.get(name);
    if (!versions) throw new Error(`no secret ${name}`);
    const from = this.versionWith(name, stage);
    from?.[1].stages.delete(stage);
    if (versionId === undefined) return;
    const to = versions.get(versionId);
    if (!to) throw new Error(`no version ${versionId} of ${name}`);
    to.stages.add(stage);
    if (stage === 'AWSCURRENT' && from && from[0] !== versionId) this.moveStage(name, 'AWSPREVIOUS', from[0]);
  }

  private versionWith(name: string, stage: string): [string, SecretVersion] | undefined {
    return [...(this.secrets.get(name) ?? [])].find(([, v]) => v.stages.has(stage));
  }
}
