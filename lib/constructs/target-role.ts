import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface TargetRoleProps {
  /** Name of the role; another account refers to it by this name. */
  readonly roleName: string;
  /** The account that holds the broker's login Lambda. */
  readonly brokerAccountId: string;
  /** The login Lambda's execution role, the only principal the trust policy admits. */
  readonly brokerRoleArn: string;
  /** The external ID the broker must present: a dynamic reference or a NoEcho parameter, never a literal. */
  readonly externalId: string;
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
    if (!Token.isUnresolved(props.externalId)) {
      throw new Error(`TargetRole ${id}: externalId must be a dynamic reference or parameter, not a literal that would land in the template`);
    }

    const broker = new iam.AccountPrincipal(props.brokerAccountId).withConditions({
      ArnEquals: { 'aws:PrincipalArn': props.brokerRoleArn },
      StringEquals: { 'sts:ExternalId': props.externalId },
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Opened by console-broker only, with the external ID',
      assumedBy: broker,
    });
    (this.role.node.defaultChild as iam.CfnRole).managedPolicyArns = props.managedPolicyArns;
    // SetSourceIdentity lets the broker stamp the caller's name on the session, so CloudTrail in this
    // account shows who was behind every action.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:SetSourceIdentity'], principals: [broker] }),
    );
  }
}
