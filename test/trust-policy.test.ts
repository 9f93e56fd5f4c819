import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../lib/config';
import { ownerKit } from '../lib/owner-kit';
import { standaloneTargetTemplate } from '../lib/target-stack';
import { assumeRole, createAwsClients } from '../lambda/core/aws';
import { BROKER_PRINCIPAL_ARN, FakeAws } from './fakes/aws';
import type { Template } from './fakes/cloudformation';
import { authorizeAssumeRole, type PolicyDocument } from './fakes/iam';
import type { Credentials } from './fakes/sigv4';
import { deployCdkOut } from './support/deploy';
import { CDK_OUT } from './support/paths';

const config = loadConfig(path.join(__dirname, '..', 'config', 'console-broker.json'));
const READONLY = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';
const OWNER_ROLE = 'arn:aws:iam::333333333333:role/ConsoleBrokerReadOnly';
const OWNER_TEMPLATE = path.join(__dirname, '..', 'templates', 'console-broker-target.json');
const ANOTHER_ROLE: Credentials = { accessKeyId: 'AKIAANOTHERROLE00000', secretAccessKey: 'another-role-in-the-broker-account' };

/** The trust policy the first release synthesized: SetSourceIdentity demanded sts:ExternalId too. */
function firstReleaseTrustPolicy(externalId: string): PolicyDocument {
  const statement = (action: string): Record<string, unknown> => ({
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111111111111:root' },
    Action: action,
    Condition: { ArnEquals: { 'aws:PrincipalArn': BROKER_PRINCIPAL_ARN }, StringEquals: { 'sts:ExternalId': externalId } },
  });
  return { Version: '2012-10-17', Statement: [statement('sts:AssumeRole'), statement('sts:SetSourceIdentity')] };
}

describe('target trust policies, judged by an IAM policy simulator that knows which keys each STS action carries', () => {
  const aws = new FakeAws();

  beforeAll(async () => {
    await aws.start();
    deployCdkOut(aws, CDK_OUT, config);
    aws.principals.set(ANOTHER_ROLE.accessKeyId, ANOTHER_ROLE);
    aws.principalArns.set(ANOTHER_ROLE.accessKeyId, 'arn:aws:iam::111111111111:role/someone-else');
    for (const [key, value] of Object.entries(aws.env())) vi.stubEnv(key, value);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await aws.stop();
  });

  /** AssumeRole through the SDK client the Lambda uses, as the broker's role unless credentials say otherwise. */
  async function assume(roleArn: string, externalId: string, credentials?: Credentials): Promise<string> {
    if (credentials) {
      vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
      vi.stubEnv('AWS_SESSION_TOKEN', '');
    }
    try {
      await assumeRole(createAwsClients(3000).sts, { roleArn, externalId, sessionName: 'alice@example.com', sourceIdentity: 'alice@example.com' });
      return 'allowed';
    } catch (error) {
      return `${(error as Error).message} ${String(((error as Error).cause as Error | undefined)?.message)}`;
    } finally {
      for (const [key, value] of Object.entries(aws.env())) vi.stubEnv(key, value);
    }
  }

  it('admits the broker with the external ID and a SourceIdentity, as synthesized and deployed', async () => {
    expect(await assume(READONLY, aws.secrets.get('console-broker/external-id/prod-readonly') ?? '')).toBe('allowed');
  });

  it('refuses a wrong external ID, and another principal of the broker account with the right one', async () => {
    const externalId = aws.secrets.get('console-broker/external-id/prod-readonly') ?? '';

    expect(await assume(READONLY, 'notTheExternalIdOfThisTarget0123456789abcdef')).toMatch(/AssumeRoleDenied|refused/);
    expect(await assume(READONLY, externalId, ANOTHER_ROLE)).toMatch(/refused/);
  });

  it("would refuse every login with the first release's policy: SetSourceIdentity's request has no sts:ExternalId", async () => {
    const externalId = aws.secrets.get('console-broker/external-id/prod-readonly') ?? '';
    const request = { principalArn: BROKER_PRINCIPAL_ARN, sessionArn: 'arn:aws:sts::111111111111:assumed-role/console-broker-login-eu-west-1/fn', roleArn: READONLY, externalId, roleSessionName: 'alice', sourceIdentity: 'alice' };
    const allowAll: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

    expect(await authorizeAssumeRole(firstReleaseTrustPolicy(externalId), allowAll, request)).toEqual({ allowed: false, action: 'sts:SetSourceIdentity' });
    aws.roles.set(READONLY, { trustPolicy: firstReleaseTrustPolicy(externalId) });
    expect(await assume(READONLY, externalId)).toMatch(/refused/);
    expect(aws.calls.at(-1)).toMatchObject({ service: 'sts', action: 'AssumeRole' });
    aws.roles.delete(READONLY);
  });

  it('puts sts:ExternalId on sts:AssumeRole only, and one reference to each accepted version in each role', () => {
    const template = JSON.parse(readFileSync(path.join(CDK_OUT, 'ConsoleBrokerTarget-222222222222.template.json'), 'utf8')) as Template;
    for (const role of Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role')) {
      const statements = (role.Properties?.AssumeRolePolicyDocument as PolicyDocument).Statement;
      const byAction = Object.fromEntries(statements.map((s) => [String(s.Action), JSON.stringify(s)]));
      expect(Object.keys(byAction).sort()).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
      expect(byAction['sts:SetSourceIdentity']).not.toContain('ExternalId');
      expect(byAction['sts:SetSourceIdentity']).toContain(BROKER_PRINCIPAL_ARN);
      // The current version, and the next one only while a rotation names it.
      expect(byAction['sts:AssumeRole']?.match(/\{\{resolve:secretsmanager:/g)).toHaveLength(2);
    }
  });
});

describe("the owner's template", () => {
  it('is the shipped file, bootstrap-free: no CDK bootstrap parameter or rule, no assets', () => {
    const shipped = readFileSync(OWNER_TEMPLATE, 'utf8');

    expect(shipped).toBe(standaloneTargetTemplate());
    const template = JSON.parse(shipped) as Template & { Rules?: unknown };
    expect(Object.keys(template.Parameters ?? {})).toEqual(['BrokerRoleArn', 'ExternalId', 'NextExternalId', 'RoleName', 'ManagedPolicyArns']);
    expect(template.Rules).toBeUndefined();
    expect(shipped).not.toMatch(/BootstrapVersion|cdk-bootstrap|aws:cdk:|Metadata/);
  });

  it('accepts the external ID it was given, and the next one only while NextExternalId holds it', async () => {
    const aws = await new FakeAws().start();
    for (const [key, value] of Object.entries(aws.env())) vi.stubEnv(key, value);
    const template = JSON.parse(readFileSync(OWNER_TEMPLATE, 'utf8')) as Template;
    const parameters = { BrokerRoleArn: BROKER_PRINCIPAL_ARN, ExternalId: 'theExternalIdTheOperatorHandedOver0123456789', RoleName: 'ConsoleBrokerReadOnly' };
    const tryId = async (externalId: string): Promise<boolean> =>
      assumeRole(createAwsClients(3000).sts, { roleArn: OWNER_ROLE, externalId, sessionName: 'alice', sourceIdentity: 'alice' }).then(() => true, () => false);

    aws.deployStack('Owner', '333333333333', template, parameters);
    const before = [await tryId(parameters.ExternalId), await tryId('theNextExternalIdOfTheRotation0123456789abc')];
    aws.deployStack('Owner', '333333333333', template, { NextExternalId: 'theNextExternalIdOfTheRotation0123456789abc' });
    const during = [await tryId(parameters.ExternalId), await tryId('theNextExternalIdOfTheRotation0123456789abc')];

    expect(before).toEqual([true, false]);
    expect(during).toEqual([true, true]);
    vi.unstubAllEnvs();
    await aws.stop();
  });
});

describe('the owner kit', () => {
  it('fills a quick-create link with everything but the external ID, and says how to send that apart', () => {
    const target = config.targets.find((t) => t.name === 'customer-acme');
    if (!target) throw new Error('no customer-acme');

    const kit = ownerKit(config, target, 'https://bucket.s3.eu-west-1.amazonaws.com/console-broker-target.json');

    const link = new URL(/https:\/\/eu-west-1\.console\.aws\.amazon\.com\S+/.exec(kit)?.[0] ?? '');
    const query = new URLSearchParams(link.hash.split('?')[1]);
    expect(Object.fromEntries(query)).toEqual({
      templateURL: 'https://bucket.s3.eu-west-1.amazonaws.com/console-broker-target.json',
      stackName: 'console-broker-customer-acme',
      param_BrokerRoleArn: BROKER_PRINCIPAL_ARN,
      param_RoleName: 'ConsoleBrokerReadOnly',
      param_ManagedPolicyArns: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    expect(kit).toContain('aws secretsmanager get-secret-value --region eu-west-1 --secret-id console-broker/external-id/customer-acme');
    expect(kit).not.toMatch(/param_ExternalId/);
  });
});
