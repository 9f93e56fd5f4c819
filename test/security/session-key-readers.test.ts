import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { authorizeSecretRead } from '../fakes/iam';
import type { PolicyDocument } from '../fakes/iam';
import { testConfig } from '../support/config';

// Threat: anyone in the broker account whose IAM policies allow reading secrets (PowerUserAccess does)
// reads the browser entry's session key and seals a cookie that names any person: every target opens.
const LOGIN_ROLE = 'arn:aws:iam::111111111111:role/console-broker-login-eu-west-1';
const POWER_USER = 'arn:aws:iam::111111111111:role/PowerUser';
const READ_ANY_SECRET: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: ['secretsmanager:*', 'kms:Decrypt'], Resource: '*' }] };

function webSecretPolicies(): Map<string, PolicyDocument> {
  const app = new App();
  const { broker } = addConsoleBroker(app, testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'cb' } }));
  const json = Template.fromStack(broker).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const names = new Map(Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret').map(([id, r]) => [id, String(r.Properties.Name)]));
  const policies = new Map<string, PolicyDocument>();
  for (const resource of Object.values(json.Resources).filter((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy')) {
    const name = names.get((resource.Properties.SecretId as { Ref: string }).Ref) ?? '';
    // The login role's ARN is a GetAtt in the template; IAM sees the role's ARN.
    const text = JSON.stringify(resource.Properties.ResourcePolicy).replace(/\{"Fn::GetAtt":\["LoginRole[A-Z0-9]*","Arn"\]\}/g, JSON.stringify(LOGIN_ROLE));
    policies.set(name, JSON.parse(text) as PolicyDocument);
  }
  return policies;
}

describe('the browser entry’s secrets are read by the login role only', () => {
  let policies: Map<string, PolicyDocument>;

  beforeAll(() => {
    policies = webSecretPolicies();
  });

  it.each(['console-broker/session-key', 'console-broker/oidc-client-secret'])('%s refuses a power user and admits the login role', async (name) => {
    const policy = policies.get(name);
    expect(policy).toBeDefined();
    const secretArn = `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;

    const powerUser = await authorizeSecretRead(policy ?? { Statement: [] }, READ_ANY_SECRET, POWER_USER, secretArn);
    const loginRole = await authorizeSecretRead(policy ?? { Statement: [] }, READ_ANY_SECRET, LOGIN_ROLE, secretArn);

    expect(powerUser).toBe(false);
    expect(loginRole).toBe(true);
  });
});
