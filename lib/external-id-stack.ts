import { RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { externalIdSecretName } from '../lambda/core/registry';
import type { TargetConfig } from './config';
import { EXTERNAL_ID_LENGTH } from './names';

export interface ExternalIdStackProps extends StackProps {
  /** The targets whose external IDs this stack holds. */
  readonly targets: readonly TargetConfig[];
  /** The broker stack's key, which encrypts every external ID. */
  readonly key: kms.IKey;
}

/**
 * External ID secrets in the broker account, in stacks of their own rather than the broker stack: one
 * stack per broker-deployed target account, whose outputs only that account's CloudFormation may read
 * (aws-cdk-lib's reader role for Fn::GetStackOutput trusts the consumers of one producer stack and may
 * describe only that stack), and a few stacks for the owner-deployed targets, which keeps each stack
 * within CloudFormation's 500 resources (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
 * The secrets keep their names, so the login role's prefix policy, the rotation and the doctor find them as before.
 */
export class ExternalIdStack extends Stack {
  /** The external ID secret of each target, by target name. */
  readonly secrets: ReadonlyMap<string, secretsmanager.Secret>;
  /**
   * The full ARN (with Secrets Manager's random suffix) of each target's secret, by target name. Taken
   * from the resource itself: `Secret.secretArn` of a named secret is the partial ARN when read from
   * another account, and a dynamic reference across accounts needs the full one.
   */
  readonly secretArns: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: ExternalIdStackProps) {
    super(scope, id, props);
    const secrets = new Map(props.targets.map((target) => [target.name, externalIdSecret(this, target, props.key)]));
    this.secrets = secrets;
    this.secretArns = new Map([...secrets].map(([name, secret]) => [name, (secret.node.defaultChild as secretsmanager.CfnSecret).ref]));
  }

  /**
   * Lets CloudFormation in a target account, acting as its execution role, read the external IDs of
   * that account's targets: it resolves their {{resolve:secretsmanager:...}} references. The key's
   * policy admits the same role (BrokerStack.allowTargetDeployers).
   */
  allowTargetDeployer(accountId: string, executionRoleArn: string): void {
    const deployer = new iam.AccountPrincipal(accountId).withConditions({ ArnEquals: { 'aws:PrincipalArn': executionRoleArn } });
    for (const secret of this.secrets.values()) {
      secret.addToResourcePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], principals: [deployer], resources: ['*'] }));
    }
  }
}

function externalIdSecret(scope: Construct, target: TargetConfig, key: kms.IKey): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, `ExternalId-${target.name}`, {
    secretName: externalIdSecretName(target.name),
    description: `External ID that console-broker presents to ${target.accountId} for target ${target.name}`,
    encryptionKey: key,
    generateSecretString: { passwordLength: EXTERNAL_ID_LENGTH, excludePunctuation: true, includeSpace: false },
    // Target trust policies hold this value: losing it locks the broker out of the target, so an update
    // or a deletion keeps it. A create that rolls back deletes it, so that the retry can take the name
    // again (DeletionPolicy RetainExceptOnCreate:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      "An external ID also sits in the target role trust policy in another account, which a Secrets Manager rotation function cannot update through that account's CloudFormation stack: npm run rotate-external-id rotates it in the same four steps (README, Rotating an external ID), on a schedule the operator sets.",
  });
  return secret;
}
