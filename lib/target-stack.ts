import { CfnOutput, CfnParameter, Fn, SecretValue, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { TargetConfig } from './config';
import { TargetRole } from './constructs/target-role';

export interface TargetAccountStackProps extends StackProps {
  /** The targets of this one account; each becomes a role. */
  readonly targets: readonly TargetConfig[];
  readonly brokerAccountId: string;
  readonly brokerRoleArn: string;
  /** The full ARN of each target's external ID secret in the broker account, by target name. */
  readonly externalIdSecretArns: ReadonlyMap<string, string>;
}

/**
 * The roles of one target account, deployed by the broker's operator with `cdk deploy --all`.
 *
 * The external ID never passes through anyone's hands or the template: the trust condition is a
 * CloudFormation dynamic reference to the broker's secret by full ARN (required across accounts:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html),
 * and the ARN, which ends in a random suffix, is read from the broker stack's outputs with
 * Fn::GetStackOutput (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html),
 * which aws-cdk-lib emits for a cross-account reference.
 */
export class TargetAccountStack extends Stack {
  readonly roles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: TargetAccountStackProps) {
    super(scope, id, props);
    const roles = new Map<string, iam.Role>();
    for (const target of props.targets) {
      const secretArn = props.externalIdSecretArns.get(target.name);
      if (secretArn === undefined) throw new Error(`TargetAccountStack ${id}: no external ID secret for target ${target.name}`);
      const { role } = new TargetRole(this, `Target-${target.name}`, {
        roleName: target.roleName,
        brokerAccountId: props.brokerAccountId,
        brokerRoleArn: props.brokerRoleArn,
        externalId: SecretValue.secretsManager(secretArn).unsafeUnwrap(),
        managedPolicyArns: target.managedPolicies.map((name) => `arn:${this.partition}:iam::aws:policy/${name}`),
      });
      for (const name of target.managedPolicies) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
          reason: `The operator chose AWS managed policy ${name} for this console role; AWS keeps it current as services change, which a hand-written copy would not.`,
        });
      }
      roles.set(target.name, role);
      new CfnOutput(this, `RoleArn-${target.name}`, { value: role.roleArn, description: `Role behind target ${target.name}` });
    }
    this.roles = roles;
  }
}

/**
 * The target side alone, for an account whose owner deploys it: no reference to the broker's stack,
 * only the broker's login role ARN and the external ID, given as parameters.
 */
export class StandaloneTargetStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const brokerRoleArn = new CfnParameter(this, 'BrokerRoleArn', {
      description: 'The LoginRoleArn output of the broker stack',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
      constraintDescription: 'must be an IAM role ARN such as arn:aws:iam::111111111111:role/console-broker-login-eu-west-1',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      description: 'The external ID the broker operator gave you',
      noEcho: true,
      minLength: 32,
      maxLength: 1224,
      allowedPattern: '^[\\w+=,.@:/-]+$',
      constraintDescription: 'must be 32-1224 characters of letters, digits and +=,.@:/-_',
    });
    const roleName = new CfnParameter(this, 'RoleName', {
      description: 'Name of the role the broker assumes',
      default: 'ConsoleBrokerReadOnly',
      allowedPattern: '^[\\w+=,.@-]{1,64}$',
    });
    const policyArns = new CfnParameter(this, 'ManagedPolicyArns', {
      type: 'CommaDelimitedList',
      description: 'Managed policies the role gets',
      default: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });

    const { role } = new TargetRole(this, 'Target', {
      roleName: roleName.valueAsString,
      brokerAccountId: Fn.select(4, Fn.split(':', brokerRoleArn.valueAsString)),
      brokerRoleArn: brokerRoleArn.valueAsString,
      externalId: externalId.valueAsString,
      managedPolicyArns: policyArns.valueAsList,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4',
      reason: 'The account owner picks the policies with the ManagedPolicyArns parameter (ReadOnlyAccess by default); cdk-nag cannot read a parameter list.',
    });
    new CfnOutput(this, 'RoleArn', { value: role.roleArn, description: 'Send this back to the broker operator' });
  }
}
