import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { externalIdSecretName } from '../../lambda/core/registry';
import { addConsoleBroker } from '../../lib/app';
import { brokerAccountScp } from '../../lib/broker-scp';
import { ENTRY_SECRET_NAMES } from '../../lib/names';
import type { PolicyDocument } from '../fakes/iam';
import { testConfig } from '../support/config';
import { decideUnderScp } from '../support/scp';
import { SLACK_SECTION, SLACK_TARGETS } from '../support/slack';

// Threat: each entry secret's resource policy denies others only secretsmanager:GetSecretValue. An
// administrator of the broker account (PowerUserAccess, so secretsmanager:*) put a signing secret of their
// own choosing into console-broker/slack-signing-secret (warm Lambdas take it within five minutes) and
// signed `/console <target>` as any member of the workspace; or put a session key and sealed a cookie
// naming anyone; or deleted or replaced a secret's resource policy and read it.

const EXECUTION_ROLE = 'cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
// The writes and policy changes of https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
const WRITES = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:RotateSecret',
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:RestoreSecret',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:StopReplicationToReplica',
  'secretsmanager:TagResource',
];
// A secret's ARN ends in a hyphen and six random characters.
const arnOf = (name: string): string => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;

describe('the browser and Slack entries’ secrets under the shipped SCP', () => {
  it('are all the secrets the broker stack makes, besides the external IDs', () => {
    const config = testConfig({ slack: SLACK_SECTION, targets: SLACK_TARGETS, openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } });
    const { broker } = addConsoleBroker(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), config);
    const names = Object.values(Template.fromStack(broker).findResources('AWS::SecretsManager::Secret')).map((r) => (r.Properties as { Name: string }).Name);

    expect(names.filter((name) => !name.startsWith(externalIdSecretName('')))).toEqual(expect.arrayContaining(Object.values(ENTRY_SECRET_NAMES)));
    expect(names.filter((name) => !name.startsWith(externalIdSecretName('')))).toHaveLength(Object.values(ENTRY_SECRET_NAMES).length);
  });

  it.each(Object.values(ENTRY_SECRET_NAMES))('%s: an administrator may not put a value, change its policy, or otherwise change it', async (name) => {
    for (const action of WRITES) {
      expect({ action, decision: await decideUnderScp('PowerUser', action, arnOf(name)) }).toEqual({ action, decision: 'ExplicitlyDenied' });
    }
  });

  it.each(Object.values(ENTRY_SECRET_NAMES))('%s: CloudFormation changes it, and the entries read it as their resource policies allow', async (name) => {
    expect(await decideUnderScp(EXECUTION_ROLE, 'secretsmanager:PutResourcePolicy', arnOf(name))).toBe('Allowed');
    expect(await decideUnderScp(EXECUTION_ROLE, 'secretsmanager:DeleteSecret', arnOf(name))).toBe('Allowed');
    expect(await decideUnderScp('console-broker-slack-eu-west-1', 'secretsmanager:GetSecretValue', arnOf(name))).toBe('Allowed');
  });

  it('leaves putting the values to the admin role the policy is generated with', async () => {
    const scp = brokerAccountScp(testConfig(), { adminRoleName: 'admins/BrokerAdmin' }) as unknown as PolicyDocument;

    expect(await decideUnderScp('admins/BrokerAdmin', 'secretsmanager:PutSecretValue', arnOf(ENTRY_SECRET_NAMES.slackSigningSecret), {}, scp)).toBe('Allowed');
    expect(await decideUnderScp('BrokerAdmin', 'secretsmanager:PutSecretValue', arnOf(ENTRY_SECRET_NAMES.slackSigningSecret), {}, scp)).toBe('ExplicitlyDenied');
  });
});
