import { Aws, Fn, Token, type CfnCondition } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** A second external ID the trust policy accepts while a rotation is under way. */
export interface NextExternalId {
  /** A dynamic reference or a NoEcho parameter, never a literal. */
  readonly value: string;
  /** True while the next ID is accepted beside the current one. */
  readonly accepted: CfnCondition;
}

export interface TargetRoleProps {
  /** Name of the role; another account refers to it by this name. */
  readonly roleName: string;
  /** The account that holds the broker's login Lambda. */
  readonly brokerAccountId: string;
  /** The login Lambda's execution role, the only principal the trust policy admits. */
  readonly brokerRoleArn: string;
  /** The external ID the broker must present: a dynamic reference or a NoEcho parameter, never a literal. */
  readonly externalId: string;
  /** @default - only `externalId` is ever accepted */
  readonly nextExternalId?: NextExternalId;
  /** ARNs of the managed policies that say what the role may do; may be a CloudFormation list parameter. */
  readonly managedPolicyArns: string[];
}

/**
 * The role in a target account that the broker assumes. The trust policy names the broker account as
 * principal and narrows it with aws:PrincipalArn to the login role: a role ARN as principal would be
 * rewritten to an unique ID and break when that role is re-created, and cannot be saved before it exists.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 */
export class TargetRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TargetRoleProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.managedPolicyArns) && props.managedPolicyArns.length === 0) {
      throw new Error(`TargetRole ${id}: managedPolicyArns must name at least one policy`);
    }
    for (const [field, value] of [['externalId', props.externalId], ['nextExternalId', props.nextExternalId?.value]] as const) {
      if (value !== undefined && !Token.isUnresolved(value)) {
        throw new Error(`TargetRole ${id}: ${field} must be a dynamic reference or parameter, not a literal that would land in the template`);
      }
    }

    const broker = new iam.AccountPrincipal(props.brokerAccountId);
    const fromLoginRole = { ArnEquals: { 'aws:PrincipalArn': props.brokerRoleArn } };
    const next = props.nextExternalId;
    // One reference to each ID: CloudFormation allows 60 dynamic references per template.
    const externalIds = next ? [props.externalId, Fn.conditionIf(next.accepted.logicalId, next.value, Aws.NO_VALUE)] : props.externalId;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Opened by console-broker only, with the external ID',
      assumedBy: broker.withConditions({ ...fromLoginRole, StringEquals: { 'sts:ExternalId': externalIds } }),
    });
    (this.role.node.defaultChild as iam.CfnRole).managedPolicyArns = props.managedPolicyArns;
    // SetSourceIdentity lets the broker stamp the caller's name on the session, so CloudTrail in this
    // account shows who was behind every action. STS authorizes it as its own action, whose request
    // carries sts:SourceIdentity but not sts:ExternalId (Service Authorization Reference, "Actions,
    // resources, and condition keys for AWS STS"), so an ExternalId condition here would never match.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:SetSourceIdentity'], principals: [broker.withConditions(fromLoginRole)] }),
    );
  }
}
