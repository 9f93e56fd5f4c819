import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrokerConfig } from '../../lib/config';
import { brokerRoleArn, managedPolicyArnList } from '../../lib/names';
import { externalIdSecretName } from '../../lambda/core/registry';
import type { FakeAws } from '../fakes/aws';
import type { Template } from '../fakes/cloudformation';

const OWNER_TEMPLATE = path.join(__dirname, '..', '..', 'templates', 'console-broker-target.json');

function readTemplate(file: string): Template {
  return JSON.parse(readFileSync(file, 'utf8')) as Template;
}

interface Manifest {
  readonly artifacts: Record<string, { readonly type: string; readonly environment?: string; readonly dependencies?: readonly string[] }>;
}

/** The stacks of a cloud assembly in the order `cdk deploy --all` deploys them, each after those it depends on, with its account. */
export function stacksInDeployOrder(cdkOut: string): { name: string; account: string }[] {
  const { artifacts } = JSON.parse(readFileSync(path.join(cdkOut, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = Object.keys(artifacts).filter((name) => artifacts[name]?.type === 'aws:cloudformation:stack');
  const ordered: string[] = [];
  const visit = (name: string): void => {
    if (ordered.includes(name) || !stacks.includes(name)) return;
    for (const dependency of artifacts[name]?.dependencies ?? []) visit(dependency);
    ordered.push(name);
  };
  stacks.forEach(visit);
  return ordered.map((name) => ({ name, account: /^aws:\/\/(\d{12})\//.exec(artifacts[name]?.environment ?? '')?.[1] ?? '' }));
}

/**
 * "Deploys" what `cdk synth` wrote, through the CloudFormation model (test/fakes/cloudformation.ts),
 * as `cdk deploy --all` does after `cdk bootstrap` of every account: each stack after those it depends
 * on, unless it is deployed and unchanged (the broker stack, whose login policy becomes the broker's identity policy; the stacks of external
 * ID secrets, where Secrets Manager generates each ID; each broker-deployed target stack, where
 * CloudFormation resolves each trust policy's dynamic references). For owner-deployed targets it plays
 * the owner: the shipped standalone template, with the external ID the operator handed over.
 */
export function deployCdkOut(aws: FakeAws, cdkOut: string, config: BrokerConfig): void {
  const stacks = stacksInDeployOrder(cdkOut);
  for (const account of new Set(stacks.map((s) => s.account))) aws.bootstrap(account);
  for (const { name, account } of stacks) {
    const template = readTemplate(path.join(cdkOut, `${name}.template.json`));
    // cdk deploy skips a deployed stack whose template has not changed.
    const deployed = aws.deployments.stacks.get(name);
    if (deployed?.status.endsWith('_COMPLETE') && !deployed.status.includes('ROLLBACK') && JSON.stringify(deployed.template) === JSON.stringify(template)) continue;
    aws.deployStack(name, account, template);
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
