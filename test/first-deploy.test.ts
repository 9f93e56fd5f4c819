import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../lib/app';
import { loadConfig } from '../lib/config';
import { externalIdSecretName } from '../lambda/core/registry';
import { FakeAws } from './fakes/aws';
import { StackOperationFailed, type Template as CfnTemplate } from './fakes/cloudformation';
import { deployCdkOut, stacksInDeployOrder } from './support/deploy';
import { CDK_OUT } from './support/paths';
import { testConfig } from './support/config';
import { SLACK_SECTION, SLACK_TARGETS } from './support/slack';

const config = loadConfig(path.join(__dirname, '..', 'config', 'console-broker.json'));
const BROKER_DEPLOYED = '222222222222';

function cdkOutTemplate(stack: string): CfnTemplate {
  return JSON.parse(readFileSync(path.join(CDK_OUT, `${stack}.template.json`), 'utf8')) as CfnTemplate;
}

describe('a first deploy that fails can be retried', () => {
  it('synthesizes every resource the stacks keep as RetainExceptOnCreate: kept on update and deletion, deleted when the create that made it rolls back', () => {
    // Prepare: every entry, so that every named secret and log group is there.
    const stacks = addConsoleBroker(
      new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
      testConfig({
        openIdProvider: { issuer: 'https://idp.example.com', clientId: 'cb' },
        slack: SLACK_SECTION,
        targets: [...SLACK_TARGETS, { name: 'customer-acme', accountId: '333333333333', roleName: 'ConsoleBrokerReadOnly', deployedBy: 'owner' }],
      }),
    );

    // Act
    const kept = [stacks.broker, ...stacks.externalIds.values(), ...stacks.targets.values()].flatMap((stack) =>
      Object.values((Template.fromStack(stack).toJSON() as CfnTemplate).Resources)
        .filter((r) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
        .map((r) => ({ type: r.Type, name: r.Properties?.Name, policy: r.DeletionPolicy })),
    );

    // Assess
    expect(new Set(kept.map((r) => r.type))).toEqual(new Set(['AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup', 'AWS::KMS::Key']));
    expect(kept.filter((r) => r.type === 'AWS::SecretsManager::Secret')).toHaveLength(4 + 4);
    expect(kept.filter((r) => r.policy !== 'RetainExceptOnCreate')).toEqual([]);
  });

  describe('the CloudFormation model', () => {
    const aws = new FakeAws();
    const secret = (name: string, policy: string): CfnTemplate['Resources'][string] => ({
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Name: name, GenerateSecretString: { PasswordLength: 48 } },
      DeletionPolicy: policy,
    });
    // A role that trusts a role which does not exist: IAM refuses it, after the secrets are made.
    const refused = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'reader',
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:role/missing' }, Action: 'sts:AssumeRole' }] },
      },
    };

    beforeEach(() => { aws.secrets.clear(); });

    it('on a rolled-back create deletes what is RetainExceptOnCreate and keeps what is Retain, and a create of a name that exists fails', () => {
      // Prepare
      const template: CfnTemplate = { Resources: { Kept: secret('kept', 'Retain'), Undone: secret('undone', 'RetainExceptOnCreate'), Reader: refused } };

      // Act
      const failed = (): void => { aws.deployStack('Secrets', '111111111111', template); };

      // Assess
      expect(failed).toThrow(/Invalid principal in policy/);
      expect(aws.deployments.stacks.get('Secrets')?.status).toBe('ROLLBACK_COMPLETE');
      expect([aws.secrets.has('kept'), aws.secrets.has('undone')]).toEqual([true, false]);
      expect(failed).toThrow(StackOperationFailed);
      expect(failed).toThrow(/The operation failed because the secret kept already exists.*ResourceExistsException/);
    });
  });

  describe('the synthesized stacks, through the CloudFormation model', () => {
    let aws: FakeAws;

    beforeEach(() => { aws = new FakeAws(); });
    afterEach(async () => { await aws.stop(); });

    it('deploy again after a first deploy that rolled back: the target account was not bootstrapped yet', () => {
      // Prepare: every stack of the broker account but this account's, whose reader role trusts the
      // target account's CloudFormation execution role, which `cdk bootstrap` has not made yet.
      const accountSecrets = `ConsoleBrokerExternalIds-${BROKER_DEPLOYED}`;
      for (const { name, account } of stacksInDeployOrder(CDK_OUT).filter((s) => s.account === config.accountId && s.name !== accountSecrets)) {
        aws.bootstrap(account);
        aws.deployStack(name, account, cdkOutTemplate(name));
      }
      expect(() => { aws.deployStack(accountSecrets, config.accountId, cdkOutTemplate(accountSecrets)); }).toThrow(/Invalid principal in policy/);
      expect(aws.deployments.stacks.get(accountSecrets)?.status).toBe('ROLLBACK_COMPLETE');

      // Act: the operator bootstraps the account and runs cdk deploy --all again.
      deployCdkOut(aws, CDK_OUT, config);

      // Assess: the secrets were made anew, and the trust policy holds them.
      const secrets = config.targets.filter((t) => t.accountId === BROKER_DEPLOYED).map((t) => aws.secrets.get(externalIdSecretName(t.name)));
      expect(secrets).not.toContain(undefined);
      expect(aws.deployments.stacks.get(accountSecrets)?.status).toBe('CREATE_COMPLETE');
      const trust = [...aws.roles.values()].map((role) => JSON.stringify(role));
      for (const value of secrets) expect(trust.some((text) => text.includes(String(value)))).toBe(true);
    });
  });
});
