import { type App, Fn, type StackProps, Validations } from 'aws-cdk-lib';
import type { BrokerConfig } from './config';
import { BrokerStack } from './broker-stack';
import { DeployLimits } from './limits';
import { BROKER_STACK_NAME, brokerRoleArn, targetStackName } from './names';
import { TargetAccountStack } from './target-stack';

export interface ConsoleBrokerStacks {
  readonly broker: BrokerStack;
  /** One stack per target account whose roles `cdk deploy --all` deploys, by account ID. */
  readonly targets: ReadonlyMap<string, TargetAccountStack>;
}

/** Adds the broker stack and one stack per broker-deployed target account to the app. */
export function addConsoleBroker(app: App, config: BrokerConfig): ConsoleBrokerStacks {
  const byAccount = new Map<string, BrokerConfig['targets'][number][]>();
  for (const target of config.targets.filter((t) => t.deployedBy === 'broker')) {
    byAccount.set(target.accountId, [...(byAccount.get(target.accountId) ?? []), target]);
  }

  // Target stacks live in the broker's region: IAM is global, and the GetStackOutput reference stays in one region.
  const targetEnv = (accountId: string): StackProps['env'] => ({ account: accountId, region: config.region });
  const targetStacks = new Map<string, TargetAccountStack>();
  Validations.of(app).addPlugins(new DeployLimits());
  const broker = new BrokerStack(app, BROKER_STACK_NAME, {
    env: { account: config.accountId, region: config.region },
    description: 'console-broker: external ID secrets and the login Lambda',
    config,
  });
  for (const accountId of byAccount.keys()) {
    const stack = new TargetAccountStack(app, targetStackName(accountId), {
      env: targetEnv(accountId),
      description: 'console-broker: the roles the broker may assume in this account',
      targets: byAccount.get(accountId) ?? [],
      brokerAccountId: config.accountId,
      brokerRoleArn: brokerRoleArn(config.partition, config.accountId, config.region),
      externalIdSecretArns: broker.externalIdSecretArns,
    });
    stack.addStackDependency(broker, 'reads the external ID secrets and their ARNs from the broker stack');
    const executionRole = stack.synthesizer.cloudFormationExecutionRole;
    if (executionRole === undefined) {
      throw new Error(`${stack.stackName} needs a synthesizer with a CloudFormation execution role (the default one) to read the external IDs`);
    }
    // The synthesizer writes the role ARN with ${AWS::Partition} for Fn::Sub.
    broker.allowTargetDeployer(accountId, Fn.sub(executionRole));
    targetStacks.set(accountId, stack);
  }
  return { broker, targets: targetStacks };
}
