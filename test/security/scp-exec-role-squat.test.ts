import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../fakes/iam';

// Threat: the broker account's SCP exempted any role NAMED like the CDK execution role
// (cdk-hnb659fds-cfn-exec-role-*), so an administrator there who may create roles made one, assumed it, and
// replaced the login function's code or handed the login role to their own function.

const ACCOUNT = '111111111111';
const SHIPPED = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'policies', 'broker-account-scp.json'), 'utf8')) as PolicyDocument;
const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const EXECUTION_ROLE = 'cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
const DEPLOY_ROLE = 'cdk-hnb659fds-deploy-role-111111111111-eu-west-1';
const SQUATTER = 'cdk-hnb659fds-cfn-exec-role-mallory';
const LOGIN_FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ConsoleBroker-LoginFunction66F090C6-AbCdEf123456`;
const LOGIN_ROLE = role('console-broker-login-eu-west-1');
const BROKER_STACK = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/ConsoleBroker/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

/**
 * Decides a request by a role of the broker account with AdministratorAccess-like rights, under the
 * shipped SCP beside FullAWSAccess at the root and the account: an SCP denies what any level denies
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
 * aws:PrincipalArn is the role's ARN for a role session
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 */
async function decide(roleName: string, action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
  const fullAccess = { name: 'FullAWSAccess', policy: ALLOW_ALL };
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'admin', policy: ALLOW_ALL }],
      serviceControlPolicies: [
        { orgIdentifier: 'r-root', policies: [fullAccess] },
        { orgIdentifier: ACCOUNT, policies: [fullAccess, { name: 'console-broker', policy: SHIPPED }] },
      ],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/session`,
        resource: { accountId: resource.startsWith('arn:aws:s3:::') ? ACCOUNT : (resource.split(':')[4] ?? ''), resource },
        contextVariables: { 'aws:PrincipalArn': role(roleName), 'aws:PrincipalAccount': ACCOUNT, ...context },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the IAM simulator refused the simulation: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

describe('the shipped broker account SCP, judged by an IAM policy simulator', () => {
  it('refuses a self-made role named like the CDK execution role whatever it tries on the broker', async () => {
    expect(await decide(SQUATTER, 'lambda:UpdateFunctionCode', LOGIN_FUNCTION)).toBe('ExplicitlyDenied');
    expect(await decide(SQUATTER, 'lambda:UpdateFunctionConfiguration', LOGIN_FUNCTION)).toBe('ExplicitlyDenied');
    expect(await decide(SQUATTER, 'iam:PassRole', LOGIN_ROLE)).toBe('ExplicitlyDenied');
  });

  it('refuses an ordinary administrator the function, the login role, and making or changing a cdk- role', async () => {
    expect(await decide('Admin', 'lambda:UpdateFunctionCode', LOGIN_FUNCTION)).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'iam:PassRole', LOGIN_ROLE)).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'iam:CreateRole', role(SQUATTER))).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'iam:CreateRole', role(`team/${EXECUTION_ROLE}`))).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'iam:UpdateAssumeRolePolicy', role(EXECUTION_ROLE))).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'iam:UpdateAssumeRolePolicy', role(DEPLOY_ROLE))).toBe('ExplicitlyDenied');
  });

  it('refuses an ordinary administrator every way to act as the execution role through CloudFormation', async () => {
    // CloudFormation reuses a stack's role for whoever may change the stack, without iam:PassRole.
    expect(await decide('Admin', 'iam:PassRole', role(EXECUTION_ROLE))).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'cloudformation:UpdateStack', BROKER_STACK)).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'cloudformation:CreateChangeSet', BROKER_STACK)).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 's3:PutObject', 'arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1/0123abcd.zip')).toBe('ExplicitlyDenied');
  });

  it('lets the real execution role change the functions and pass the login role, and the deploy role hand it a change', async () => {
    expect(await decide(EXECUTION_ROLE, 'lambda:UpdateFunctionCode', LOGIN_FUNCTION)).toBe('Allowed');
    expect(await decide(EXECUTION_ROLE, 'iam:PassRole', LOGIN_ROLE)).toBe('Allowed');
    expect(await decide(DEPLOY_ROLE, 'iam:PassRole', role(EXECUTION_ROLE))).toBe('Allowed');
    expect(await decide(DEPLOY_ROLE, 'cloudformation:CreateChangeSet', BROKER_STACK)).toBe('Allowed');
    expect(await decide(DEPLOY_ROLE, 'cloudformation:ExecuteChangeSet', BROKER_STACK)).toBe('Allowed');
  });

  it('refuses invoking the login function other than through its URL, even to the execution role', async () => {
    expect(await decide('Admin', 'lambda:InvokeFunction', LOGIN_FUNCTION)).toBe('ExplicitlyDenied');
    expect(await decide(EXECUTION_ROLE, 'lambda:InvokeFunction', LOGIN_FUNCTION, { 'lambda:InvokedViaFunctionUrl': 'false' })).toBe('ExplicitlyDenied');
    expect(await decide('Admin', 'lambda:InvokeFunction', LOGIN_FUNCTION, { 'lambda:InvokedViaFunctionUrl': 'true' })).toBe('Allowed');
  });
});
