import type { Partition } from '../lambda/login/partition';

/** The login Lambda's role has a fixed name so that target accounts can name it before it exists. */
export function brokerRoleName(region: string): string {
  return `console-broker-login-${region}`;
}

export function brokerRoleArn(partition: Partition, accountId: string, region: string): string {
  return `arn:${partition}:iam::${accountId}:role/${brokerRoleName(region)}`;
}

export function targetRoleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
