import { type App, Fn, type StackProps, Validations } from 'aws-cdk-lib';
import type { BrokerConfig, TargetConfig } from './config';
import { BrokerStack } from './broker-stack';
import { ExternalIdStack } from './external-id-stack';
import { DeployLimits } from './limits';
import { accountExternalIdStackName, BROKER_STACK_NAME, brokerRoleArn, ownerExternalIdStackName, targetStackName } from './names';
import { TargetAccountStack } from './target-stack';

export interface ConsoleBrokerStacks {
  readonly broker: BrokerStack;
  /** The stacks of external ID secrets in the broker account, by stack name. */
  readonly externalIds: ReadonlyMap<string, ExternalIdStack>;
  /** One stack per target account whose roles `cdk deploy --all` deploys, by account ID. */
  readonly targets: ReadonlyMap<string, TargetAccountStack>;
}

/** aws-cdk-lib's own refusal of a stack over 500 resources, which DeployLimits reports instead, with what to change. */
const STACK_RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';
/**
 * References between stacks as Fn::GetStackOutput, not exports, whatever app synthesizes them (cdk.json
 * says the same): an export could not be dropped while another stack imports it, and a reference across
 * accounts is always one. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html
 */
const CROSS_STACK_REFERENCES_CONTEXT = '@aws-cdk/core:defaultCrossStackReferences';

function groupBy(targets: readonly TargetConfig[], key: (target: TargetConfig) => string): Map<string, TargetConfig[]> {
  const groups = new Map<string, TargetConfig[]>();
  for (const target of targets) groups.set(key(target), [...(groups.get(key(target)) ?? []), target]);
  return groups;
}

/**
 * Adds to a new app the broker stack, the stacks of external ID secrets beside it, and one stack per
 * broker-deployed target account.
 */
export function addConsoleBroker(app: App, config: BrokerConfig): ConsoleBrokerStacks {
  app.node.setContext(STACK_RESOURCE_LIMIT_CONTEXT, 0);
  app.node.setContext(CROSS_STACK_REFERENCES_CONTEXT, 'weak');
  Validations.of(app).addPlugins(new DeployLimits());
  const brokerEnv: StackProps['env'] = { account: config.accountId, region: config.region };
  const broker = new BrokerStack(app, BROKER_STACK_NAME, {
    env: brokerEnv,
    description: 'console-broker: the login Lambdas, their role and the key of the external IDs',
    config,
  });

  const externalIds = new Map<string, ExternalIdStack>();
  const secretsStack = (name: string, targets: readonly TargetConfig[], description: string): ExternalIdStack => {
    const stack = new ExternalIdStack(app, name, { env: brokerEnv, description, targets, key: broker.externalIdKey });
    externalIds.set(name, stack);
    return stack;
  };
  for (const [name, targets] of groupBy(config.targets.filter((t) => t.deployedBy === 'owner'), (t) => ownerExternalIdStackName(t.name))) {
    secretsStack(name, targets, 'console-broker: external ID secrets of targets whose owners deploy their role');
  }

  // Target stacks live in the broker's region: IAM is global, and the GetStackOutput reference stays in one region.
  const targetStacks = new Map<string, TargetAccountStack>();
  const deployers = new Map<string, string>();
  for (const [accountId, targets] of groupBy(config.targets.filter((t) => t.deployedBy === 'broker'), (t) => t.accountId)) {
    // Its own stack of secrets: aws-cdk-lib's reader role for Fn::GetStackOutput then trusts only this
    // account's execution role and may describe only this stack, so a target account learns nothing of the others.
    const secrets = secretsStack(accountExternalIdStackName(accountId), targets, `console-broker: external ID secrets of the targets in account ${accountId}`);
    const stack = new TargetAccountStack(app, targetStackName(accountId), {
      env: { account: accountId, region: config.region },
      description: 'console-broker: the roles the broker may assume in this account',
      targets,
      brokerAccountId: config.accountId,
      brokerRoleArn: brokerRoleArn(config.partition, config.accountId, config.region),
      externalIdSecretArns: secrets.secretArns,
    });
    stack.addStackDependency(secrets, "reads its external ID secrets' ARNs and values");
    const executionRole = stack.synthesizer.cloudFormationExecutionRole;
    if (executionRole === undefined) {
      throw new Error(`${stack.stackName} needs a synthesizer with a CloudFormation execution role (the default one) to read the external IDs`);
    }
    // The synthesizer writes the role ARN with ${AWS::Partition} for Fn::Sub.
    secrets.allowTargetDeployer(accountId, Fn.sub(executionRole));
    deployers.set(accountId, Fn.sub(executionRole));
    targetStacks.set(accountId, stack);
  }
  broker.allowTargetDeployers(deployers);
  return { broker, externalIds, targets: targetStacks };
}
