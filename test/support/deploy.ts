import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrokerConfig } from '../../lib/config';
import { brokerRoleArn, managedPolicyArnList, targetStackName } from '../../lib/names';
import { externalIdSecretName } from '../../lambda/core/registry';
import type { FakeAws } from '../fakes/aws';
import type { Template } from '../fakes/cloudformation';

const OWNER_TEMPLATE = path.join(__dirname, '..', '..', 'templates', 'console-broker-target.json');

function readTemplate(file: string): Template {
  return JSON.parse(readFileSync(file, 'utf8')) as Template;
}

/**
 * "Deploys" what `cdk synth` wrote, through the CloudFormation model (test/fakes/cloudformation.ts):
 * the broker stack (Secrets Manager generates each external ID; the login policy becomes the broker's
 * identity policy), then each broker-deployed target stack (CloudFormation resolves each trust
 * policy's dynamic references). For owner-deployed targets it plays the owner: the shipped standalone
 * template, with the external ID the operator handed over.
 */
export function deployCdkOut(aws: FakeAws, cdkOut: string, config: BrokerConfig): void {
  aws.deployStack('ConsoleBroker', config.accountId, readTemplate(path.join(cdkOut, 'ConsoleBroker.template.json')));
  for (const file of readdirSync(cdkOut).filter((f) => /^ConsoleBrokerTarget-\d{12}\.template\.json$/.test(f))) {
    const account = /(\d{12})/.exec(file)?.[1] ?? '';
    aws.deployStack(targetStackName(account), account, readTemplate(path.join(cdkOut, file)));
  }
  for (const target of config.targets.filter((t) => t.deployedBy === 'owner')) {
    aws.deployStack(`ConsoleBrokerTarget-${target.name}`, target.accountId, readTemplate(OWNER_TEMPLATE), {
      BrokerRoleArn: brokerRoleArn(config.partition, config.accountId, config.region),
      ExternalId: aws.secrets.get(externalIdSecretName(target.name)) ?? '',
      RoleName: target.roleName,
      ManagedPolicyArns: managedPolicyArnList(config.partition, target.managedPolicies),
    });
  }
}
