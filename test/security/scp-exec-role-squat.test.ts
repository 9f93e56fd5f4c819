import { describe, expect, it } from 'vitest';
import { BROKER_ACCOUNT as ACCOUNT, brokerAccountRole as role, decideUnderScp as decide } from '../support/scp';

// Threat: the broker account's SCP exempted any role NAMED like the CDK execution role
// (cdk-hnb659fds-cfn-exec-role-*), so an administrator there who may create roles made one, assumed it, and
// replaced the login function's code or handed the login role to their own function.

const EXECUTION_ROLE = 'cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
const DEPLOY_ROLE = 'cdk-hnb659fds-deploy-role-111111111111-eu-west-1';
const SQUATTER = 'cdk-hnb659fds-cfn-exec-role-mallory';
const LOGIN_FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ConsoleBroker-LoginFunction66F090C6-AbCdEf123456`;
const LOGIN_ROLE = role('console-broker-login-eu-west-1');
const BROKER_STACK = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/ConsoleBroker/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

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
