import { createHash } from 'node:crypto';
import type { Partition } from '../lambda/core/partition';

/** The broker stack's name, which CloudFormation puts at the front of its functions' names. */
export const BROKER_STACK_NAME = 'ConsoleBroker';

/** The login Lambda's role has a fixed name so that target accounts can name it before it exists. */
export function brokerRoleName(region: string): string {
  return `console-broker-login-${region}`;
}

export function brokerRoleArn(partition: Partition, accountId: string, region: string): string {
  return `arn:${partition}:iam::${accountId}:role/${brokerRoleName(region)}`;
}

/** The Slack entry's own role beside a browser entry; named so that the broker account's SCP can protect it. */
export function slackRoleName(region: string): string {
  return `console-broker-slack-${region}`;
}

/** The secrets the browser and Slack entries work with, besides the external IDs, by the names the stack gives them. */
export const ENTRY_SECRET_NAMES = {
  oidcClientSecret: 'console-broker/oidc-client-secret',
  sessionKey: 'console-broker/session-key',
  slackSigningSecret: 'console-broker/slack-signing-secret',
  slackBotToken: 'console-broker/slack-bot-token',
} as const;

/** How many letters and digits Secrets Manager generates for an external ID, at first and at each rotation. */
export const EXTERNAL_ID_LENGTH = 48;

/** A target's AWS managed policies as the owner's template takes them: ARNs, comma-separated. */
export function managedPolicyArnList(partition: Partition, names: readonly string[]): string {
  return names.map((name) => `arn:${partition}:iam::aws:policy/${name}`).join(',');
}

export function targetRoleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * The target stack's parameters that name the versions of a target's external ID secret its trust
 * policy accepts. Target names are lowercase letters, digits and hyphens; a parameter name is
 * alphanumeric, so each hyphen becomes an upper-case X, which keeps distinct names distinct.
 */
export function externalIdVersionParameterNames(targetName: string): { current: string; next: string } {
  const suffix = targetName.replace(/-/g, 'X');
  return { current: `ExternalIdVersion${suffix}`, next: `NextExternalIdVersion${suffix}` };
}

export function targetStackName(accountId: string): string {
  return `ConsoleBrokerTarget-${accountId}`;
}

/**
 * The broker-account stack that holds the external ID secrets of one broker-deployed target account:
 * CloudFormation in that account reads its outputs, and only its outputs.
 */
export function accountExternalIdStackName(accountId: string): string {
  return `ConsoleBrokerExternalIds-${accountId}`;
}

/**
 * How many stacks hold the owner-deployed targets' secrets. Each secret is one resource and
 * CloudFormation allows 500 per stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
 * so four hold about 1,900 targets before the fullest one reaches the limit.
 */
export const OWNER_EXTERNAL_ID_SHARDS = 4;

/**
 * The stack that holds an owner-deployed target's secret, chosen by its name alone: adding or removing
 * other targets never moves a secret to another stack, which CloudFormation could not do (the name
 * stays taken by the retained secret).
 */
export function ownerExternalIdStackName(targetName: string): string {
  const shard = createHash('sha256').update(targetName).digest().readUInt32BE(0) % OWNER_EXTERNAL_ID_SHARDS;
  return `ConsoleBrokerExternalIds-${shard}`;
}
