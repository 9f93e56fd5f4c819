import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../fakes/iam';

/** The broker account of config/console-broker.json, for which policies/broker-account-scp.json is generated. */
export const BROKER_ACCOUNT = '111111111111';
export const SHIPPED_SCP = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'policies', 'broker-account-scp.json'), 'utf8')) as PolicyDocument;
const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export const brokerAccountRole = (name: string): string => `arn:aws:iam::${BROKER_ACCOUNT}:role/${name}`;

/**
 * Decides a request by a role of the broker account with AdministratorAccess-like rights, under the
 * shipped SCP (or `scp`) beside FullAWSAccess at the root and the account: an SCP denies what any level denies
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
 * aws:PrincipalArn is the role's ARN for a role session
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 */
export async function decideUnderScp(roleName: string, action: string, resource: string, context: Record<string, string> = {}, scp: PolicyDocument = SHIPPED_SCP): Promise<string> {
  const fullAccess = { name: 'FullAWSAccess', policy: ALLOW_ALL };
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'admin', policy: ALLOW_ALL }],
      serviceControlPolicies: [
        { orgIdentifier: 'r-root', policies: [fullAccess] },
        { orgIdentifier: BROKER_ACCOUNT, policies: [fullAccess, { name: 'console-broker', policy: scp }] },
      ],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:sts::${BROKER_ACCOUNT}:assumed-role/${roleName}/session`,
        resource: { accountId: resource.startsWith('arn:aws:s3:::') ? BROKER_ACCOUNT : (resource.split(':')[4] ?? ''), resource },
        contextVariables: { 'aws:PrincipalArn': brokerAccountRole(roleName), 'aws:PrincipalAccount': BROKER_ACCOUNT, ...context },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the IAM simulator refused the simulation: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
