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

/** What a broker operator sends the owner of an owner-deployed target, all but the external ID. */
export function ownerKit(config: BrokerConfig, target: TargetConfig, templateUrl: string | undefined): string {
  if (target.deployedBy !== 'owner') throw new Error(`target ${target.name} is deployed by the broker; it has no owner kit`);
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
    `   aws secretsmanager get-secret-value --secret-id ${externalIdSecretName(target.name)} --query SecretString --output text`,
  ];
  return `${lines.join('\n')}\n`;
}
