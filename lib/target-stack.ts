import { App, BootstraplessSynthesizer, CfnCondition, CfnOutput, CfnParameter, Fn, SecretValue, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { TargetConfig } from './config';
import { TargetRole } from './constructs/target-role';
import { FunctionUrlChecks } from './nag';
import { externalIdVersionParameterNames } from './names';

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
      const versions = externalIdVersionParameters(this, target.name);
      const { role } = new TargetRole(this, `Target-${target.name}`, {
        roleName: target.roleName,
        brokerAccountId: props.brokerAccountId,
        brokerRoleArn: props.brokerRoleArn,
        externalId: dynamicReference(secretArn, versions.current.valueAsString),
        nextExternalId: { value: dynamicReference(secretArn, versions.next.valueAsString), accepted: versions.nextGiven },
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
 * A `{{resolve:secretsmanager:<ARN>:SecretString:::<version ID>}}` reference; with an empty version ID
 * it reads the version labelled AWSCURRENT.
 */
function dynamicReference(secretArn: string, versionId: string): string {
  return SecretValue.secretsManager(secretArn, { versionId }).unsafeUnwrap();
}

/**
 * The two parameters that say which versions of a target's external ID secret its trust policy
 * accepts, set by `npm run rotate-external-id` and never by hand. CloudFormation resolves a dynamic
 * reference only when it creates or updates the resource that holds it, and during an update only a
 * reference whose text changed is sure to be read again, so a new external ID reaches a trust policy
 * through a reference that names its version. Empty (the default) means the secret's current value,
 * read when the role is created, and no second ID.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
 * https://repost.aws/knowledge-center/cloudformation-stack-update-secrets
 */
function externalIdVersionParameters(scope: Construct, targetName: string): { current: CfnParameter; next: CfnParameter; nextGiven: CfnCondition } {
  const names = externalIdVersionParameterNames(targetName);
  // Secrets Manager version IDs are 32-64 characters: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
  const versionId = (id: string, description: string): CfnParameter =>
    new CfnParameter(scope, id, { description, default: '', allowedPattern: '^$|^[a-zA-Z0-9-]{32,64}$' });
  const current = versionId(names.current, `Version ID of the external ID of target ${targetName} in use; empty for the current one. Set by the rotation.`);
  const next = versionId(names.next, `Version ID of the next external ID of target ${targetName}, accepted beside it during a rotation; else empty.`);
  const nextGiven = new CfnCondition(scope, `${names.next}Given`, { expression: Fn.conditionNot(Fn.conditionEquals(next.valueAsString, '')) });
  return { current, next, nextGiven };
}

/**
 * The target side alone, for an account whose owner deploys it: no reference to the broker's stack,
 * only the broker's login role ARN and the external ID, given as parameters. It needs no `cdk
 * bootstrap` (the owner's account has none): no bootstrap version parameter or rule, no assets, so the
 * synthesized template is a file an owner can upload in the CloudFormation console as it is.
 */
export class StandaloneTargetStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer() });
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
    const nextExternalId = new CfnParameter(this, 'NextExternalId', {
      description: 'Only while the broker operator rotates the external ID: the new one, accepted beside ExternalId. Empty otherwise.',
      noEcho: true,
      default: '',
      maxLength: 1224,
      allowedPattern: '^$|^[\\w+=,.@:/-]{32,1224}$',
      constraintDescription: 'must be empty, or 32-1224 characters of letters, digits and +=,.@:/-_',
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
    const rotating = new CfnCondition(this, 'NextExternalIdGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(nextExternalId.valueAsString, '')),
    });

    const { role } = new TargetRole(this, 'Target', {
      roleName: roleName.valueAsString,
      brokerAccountId: Fn.select(4, Fn.split(':', brokerRoleArn.valueAsString)),
      brokerRoleArn: brokerRoleArn.valueAsString,
      externalId: externalId.valueAsString,
      nextExternalId: { value: nextExternalId.valueAsString, accepted: rotating },
      managedPolicyArns: policyArns.valueAsList,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4',
      reason: 'The account owner picks the policies with the ManagedPolicyArns parameter (ReadOnlyAccess by default); cdk-nag cannot read a parameter list.',
    });
    new CfnOutput(this, 'RoleArn', { value: role.roleArn, description: 'Send this back to the broker operator' });
  }
}

/**
 * The standalone target template as the file shipped in `templates/`: synthesized with cdk-nag, as
 * JSON that the CloudFormation console accepts as it is.
 */
export function standaloneTargetTemplate(): string {
  const app = new App();
  const stack = new StandaloneTargetStack(app, 'ConsoleBrokerTarget', {
    description: 'console-broker: a role that only the broker may assume, with the external ID',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
  const template = app.synth().getStackByName(stack.stackName).template as unknown;
  return `${JSON.stringify(template, null, 2)}\n`;
}
