import { randomUUID } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand, UpdateStackCommand, type Parameter } from '@aws-sdk/client-cloudformation';
import { DescribeSecretCommand, GetRandomPasswordCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { externalIdSecretName } from '../lambda/core/registry';
import { DEFAULT_EXTERNAL_ID_MAX_AGE_SECONDS } from '../lambda/core/settings';
import type { BrokerConfig, TargetConfig } from './config';
import { EXTERNAL_ID_LENGTH, externalIdVersionParameterNames, targetStackName } from './names';

/**
 * Rotates a target's external ID with no login refused on the way, in the order of Secrets Manager's
 * own rotation steps (create, set, test-free finish: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
 *
 * 1. create: a new random ID becomes the secret's AWSPENDING version; the broker still uses AWSCURRENT.
 * 2. set: the target's trust policy accepts both (a stack update that names both versions, for a
 *    broker-deployed target; the owner's stack update with NextExternalId, for an owner-deployed one).
 * 3. finish: AWSCURRENT moves to the new version. Warm Lambdas keep the old ID for at most their cache
 *    age, and both are accepted, so nothing fails; after that age the trust policy drops the old one.
 *
 * Each run picks up where the secret's labels and the stack's parameters say the last one stopped.
 */

/** The Lambda keeps an external ID this long before it reads the secret again. */
export const EXTERNAL_ID_CACHE_SECONDS = DEFAULT_EXTERNAL_ID_MAX_AGE_SECONDS;
const STACK_POLL_MS = 5000;

export interface RotationClients {
  readonly secrets: SecretsManagerClient;
  /** CloudFormation in the target's account, with credentials that may update its stack (CDK's deploy role there). */
  readonly cloudFormation: (accountId: string) => CloudFormationClient;
}

/** A role that `cdk bootstrap` made in a target account: `deploy-role` (trusts the broker account) or `cfn-exec-role`. */
export function cdkRoleArn(config: BrokerConfig, qualifier: string, kind: 'deploy-role' | 'cfn-exec-role', accountId: string): string {
  return `arn:${config.partition}:iam::${accountId}:role/cdk-${qualifier}-${kind}-${accountId}-${config.region}`;
}

/**
 * Secrets Manager with the caller's credentials in the broker account, and CloudFormation in each
 * target account through CDK's deploy role there, which `cdk bootstrap --trust <broker account>` lets
 * the broker account assume, as `cdk deploy` does.
 */
export function rotationClients(config: BrokerConfig, qualifier: string): RotationClients {
  return {
    secrets: new SecretsManagerClient({ region: config.region }),
    cloudFormation: (accountId) =>
      new CloudFormationClient({
        region: config.region,
        credentials: fromTemporaryCredentials({
          params: { RoleArn: cdkRoleArn(config, qualifier, 'deploy-role', accountId), RoleSessionName: 'console-broker-rotation' },
          clientConfig: { region: config.region },
        }),
      }),
  };
}

export interface RotationOptions {
  /** How long to wait between making the new ID current and refusing the old one. */
  readonly settleSeconds: number;
  /** For an owner-deployed target: the owner has updated the stack to accept the new ID too. */
  readonly ownerUpdated: boolean;
  /** The CloudFormation execution role the stack update runs as, by target account. */
  readonly executionRoleArn: (accountId: string) => string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/** `done`: the new ID is the only one in use; `waiting-for-owner`: the owner must act, then run again. */
export type RotationOutcome = 'done' | 'waiting-for-owner';

export class RotationError extends Error {
  override readonly name = 'RotationError';
}

interface SecretLabels {
  readonly current: string;
  readonly pending: string | undefined;
}

async function labels(client: SecretsManagerClient, secretId: string): Promise<SecretLabels> {
  const { VersionIdsToStages: versions = {} } = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const withLabel = (label: string): string | undefined => Object.entries(versions).find(([, stages]) => stages.includes(label))?.[0];
  const current = withLabel('AWSCURRENT');
  if (current === undefined) throw new RotationError(`secret ${secretId} has no AWSCURRENT version`);
  return { current, pending: withLabel('AWSPENDING') };
}

async function createPending(client: SecretsManagerClient, secretId: string): Promise<string> {
  // Letters and digits only, like the first ID the stack generated: a subset of what STS accepts.
  const { RandomPassword: value } = await client.send(
    new GetRandomPasswordCommand({ PasswordLength: EXTERNAL_ID_LENGTH, ExcludePunctuation: true, IncludeSpace: false }),
  );
  if (!value) throw new RotationError('Secrets Manager returned no random value');
  const { VersionId: versionId } = await client.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: value, VersionStages: ['AWSPENDING'], ClientRequestToken: randomUUID() }),
  );
  if (!versionId) throw new RotationError(`Secrets Manager returned no version for ${secretId}`);
  return versionId;
}

/** Points the trust policy at exactly these versions, and waits until CloudFormation has done it. */
async function acceptVersions(target: TargetConfig, clients: RotationClients, options: RotationOptions, current: string, next: string): Promise<void> {
  const client = clients.cloudFormation(target.accountId);
  const stackName = targetStackName(target.accountId);
  const names = externalIdVersionParameterNames(target.name);
  const [stack] = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  if (!stack) throw new RotationError(`stack ${stackName} was not found in account ${target.accountId}`);
  const given = new Map(Object.entries({ [names.current]: current, [names.next]: next }));
  const now = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
  const missing = [...given.keys()].filter((key) => !now.has(key));
  if (missing.length > 0) {
    throw new RotationError(`${stackName} has no parameter ${missing.join(' or ')}: it was deployed by an older console-broker; run cdk deploy ${stackName} first`);
  }
  if ([...given].every(([key, value]) => now.get(key) === value)) return;
  const parameters: Parameter[] = [...now.keys()].map((key) =>
    given.has(key) ? { ParameterKey: key, ParameterValue: given.get(key) } : { ParameterKey: key, UsePreviousValue: true },
  );
  options.log(`${target.name}: updating ${stackName} so that its trust policy accepts ${next ? 'the current and the new external ID' : 'only the new external ID'}`);
  await client.send(
    new UpdateStackCommand({
      StackName: stackName,
      UsePreviousTemplate: true,
      Parameters: parameters,
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      RoleARN: options.executionRoleArn(target.accountId),
    }),
  );
  for (;;) {
    const [updated] = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
    const status = updated?.StackStatus ?? '';
    if (status === 'UPDATE_COMPLETE') return;
    if (!status.endsWith('_IN_PROGRESS')) throw new RotationError(`${stackName} ended in ${status}: ${updated?.StackStatusReason ?? 'see its events'}`);
    await options.sleep(STACK_POLL_MS);
  }
}

async function promote(client: SecretsManagerClient, secretId: string, from: string, to: string): Promise<void> {
  await client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: to, RemoveFromVersionId: from }));
}

async function dropPendingLabel(client: SecretsManagerClient, secretId: string, from: string): Promise<void> {
  await client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: from }));
}

export async function rotateExternalId(target: TargetConfig, clients: RotationClients, options: RotationOptions): Promise<RotationOutcome> {
  const secretId = externalIdSecretName(target.name);
  let state = await labels(clients.secrets, secretId);
  const brokerDeployed = target.deployedBy === 'broker';

  if (state.pending === undefined) {
    // A trust policy left accepting two versions by an earlier, unfinished run accepts only the current one again.
    if (brokerDeployed) await acceptVersions(target, clients, options, state.current, '');
    const pending = await createPending(clients.secrets, secretId);
    options.log(`${target.name}: created a new external ID (version ${pending}) beside the current one`);
    state = { current: state.current, pending };
  }

  if (state.pending !== state.current) {
    const pending = state.pending ?? '';
    if (brokerDeployed) {
      await acceptVersions(target, clients, options, state.current, pending);
    } else if (!options.ownerUpdated) {
      options.log(
        `${target.name}: the owner of account ${target.accountId} must now accept the new external ID beside the old one.\n` +
          `  Read it with: aws secretsmanager get-secret-value --secret-id ${secretId} --version-stage AWSPENDING --query SecretString --output text\n` +
          '  and send it to them over your own channel, asking them to update their console-broker stack with NextExternalId set to it\n' +
          '  (ExternalId unchanged). When they have, run this again with --owner-updated.',
      );
      return 'waiting-for-owner';
    }
    await promote(clients.secrets, secretId, state.current, pending);
    options.log(`${target.name}: the broker now uses the new external ID; the old one is still accepted`);
    state = { current: pending, pending };
  }

  if (!brokerDeployed) {
    await dropPendingLabel(clients.secrets, secretId, state.current);
    options.log(
      `${target.name}: ask the owner to update their stack once more: ExternalId set to the new ID and NextExternalId empty, which refuses the old one.`,
    );
    return 'done';
  }
  options.log(`${target.name}: waiting ${String(options.settleSeconds)} s for warm Lambdas to read the new ID before the old one is refused`);
  await options.sleep(options.settleSeconds * 1000);
  await acceptVersions(target, clients, options, state.current, '');
  await dropPendingLabel(clients.secrets, secretId, state.current);
  options.log(`${target.name}: done; only the new external ID is accepted`);
  return 'done';
}
