import type { BrokerConfig, TargetConfig } from './config';
import { brokerRoleArn, managedPolicyArnList } from './names';
import { PARTITIONS } from '../lambda/core/partition';
import { externalIdSecretName } from '../lambda/core/registry';

/** Where a stack named so will stand in the owner's account. */
export function ownerStackName(target: TargetConfig): string {
  return `console-broker-${target.name}`;
}

/**
 * A CloudFormation quick-create link: the console's create-stack page with the template and every
 * parameter filled in but the external ID, which is NoEcho and which quick-create links never carry.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-create-stacks-quick-create-links.html
 * The template must be in an S3 bucket the owner can read.
 */
export function quickCreateLink(config: BrokerConfig, target: TargetConfig, templateUrl: string): string {
  const parameters = new URLSearchParams({
    templateURL: templateUrl,
    stackName: ownerStackName(target),
    param_BrokerRoleArn: brokerRoleArn(config.partition, config.accountId, config.region),
    param_RoleName: target.roleName,
    param_ManagedPolicyArns: managedPolicyArnList(config.partition, target.managedPolicies),
  });
  const consoleHost = PARTITIONS[config.partition].consoleHost;
  return `https://${config.region}.${consoleHost}/cloudformation/home?region=${config.region}#/stacks/create/review?${parameters.toString()}`;
}

// An S3 object URL, virtual-hosted (<bucket>.s3[.<region>].amazonaws.com[.cn]/<key>) or path-style
// (s3[.<region>].amazonaws.com[.cn]/<bucket>/<key>); CloudFormation takes a template URL only over https and
// not from an S3 static website (s3-website hosts):
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-create-stacks-quick-create-links.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
const S3_HOST = /^(?:[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\.)?s3(?:[.-](?!website)[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/;

/** Throws unless `templateUrl` is an https URL of an object in an S3 bucket. */
export function checkTemplateUrl(templateUrl: string): void {
  let url: URL;
  try {
    url = new URL(templateUrl);
  } catch {
    throw new Error(`--template-url must be an https URL of the template in an S3 bucket, got "${templateUrl}"`);
  }
  const virtualHosted = !url.hostname.startsWith('s3.') && !url.hostname.startsWith('s3-');
  const key = virtualHosted ? url.pathname.slice(1) : url.pathname.split('/').slice(2).join('/');
  if (url.protocol !== 'https:' || !S3_HOST.test(url.hostname) || key === '' || url.search !== '' || url.hash !== '') {
    throw new Error(`--template-url must be an https URL of the template in an S3 bucket (https://<bucket>.s3.<region>.amazonaws.com/<key>), got "${templateUrl}"`);
  }
}

/** What a broker operator sends the owner of an owner-deployed target, all but the external ID. */
export function ownerKit(config: BrokerConfig, target: TargetConfig, templateUrl: string | undefined): string {
  if (target.deployedBy !== 'owner') throw new Error(`target ${target.name} is deployed by the broker; it has no owner kit`);
  if (templateUrl !== undefined) checkTemplateUrl(templateUrl);
  const lines = [
    `For the owner of account ${target.accountId} (target ${target.name}):`,
    '',
    templateUrl
      ? `1. Open this link signed in to account ${target.accountId} and create the stack:\n   ${quickCreateLink(config, target, templateUrl)}`
      : '1. In the CloudFormation console, create a stack from templates/console-broker-target.json (attach the file), with:',
    `   BrokerRoleArn     ${brokerRoleArn(config.partition, config.accountId, config.region)}`,
    `   RoleName          ${target.roleName}`,
    `   ManagedPolicyArns ${managedPolicyArnList(config.partition, target.managedPolicies)}`,
    '   ExternalId        sent to you separately',
    '   NextExternalId    empty',
    '2. Send back the stack\'s RoleArn output.',
    '',
    'The external ID goes over another channel you would trust with a password. Read it with:',
    // The secret is in the broker's region, which the operator's default region need not be.
    `   aws secretsmanager get-secret-value --region ${config.region} --secret-id ${externalIdSecretName(target.name)} --query SecretString --output text`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The message for a target name that has no kit: the targets that have one. */
export function unknownTargetMessage(config: BrokerConfig, name: string | undefined, configPath: string): string {
  const owned = config.targets.filter((t) => t.deployedBy === 'owner').map((t) => t.name);
  const which = name === undefined ? 'name a target' : `no owner-deployed target "${name}"`;
  return owned.length === 0 ? `${which}: ${configPath} has no target whose deployedBy is "owner"` : `${which}; targets of ${configPath} with an owner kit: ${owned.join(', ')}`;
}
