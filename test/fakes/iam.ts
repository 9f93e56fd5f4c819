import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/** An IAM policy document as a template or IAM holds it, after CloudFormation resolved it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

export interface AssumeRoleContext {
  /** The IAM role (not the session) behind the caller, as aws:PrincipalArn carries it. */
  readonly principalArn: string;
  /** The caller's session ARN. */
  readonly sessionArn: string;
  readonly roleArn: string;
  readonly externalId: string | undefined;
  readonly roleSessionName: string;
  readonly sourceIdentity: string | undefined;
}

/**
 * Which condition keys each STS action's request carries: AssumeRole carries sts:ExternalId,
 * sts:RoleSessionName and sts:SourceIdentity; SetSourceIdentity carries only sts:SourceIdentity
 * (Service Authorization Reference, "Actions, resources, and condition keys for AWS STS":
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html).
 * Global keys such as aws:PrincipalArn are in every request.
 */
function contextFor(action: 'sts:AssumeRole' | 'sts:SetSourceIdentity', request: AssumeRoleContext): Record<string, string> {
  const global: Record<string, string> = { 'aws:PrincipalArn': request.principalArn, 'aws:PrincipalAccount': accountOf(request.principalArn) };
  const sourceIdentity: Record<string, string> = request.sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': request.sourceIdentity };
  if (action === 'sts:SetSourceIdentity') return { ...global, ...sourceIdentity };
  return {
    ...global,
    ...sourceIdentity,
    'sts:RoleSessionName': request.roleSessionName,
    ...(request.externalId === undefined ? {} : { 'sts:ExternalId': request.externalId }),
  };
}

/** The account field of an ARN. */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/**
 * Decides an AssumeRole the way STS does, with an independent IAM policy evaluator
 * (@cloud-copilot/iam-simulate) rather than our own reading of the policy: the role's trust policy and
 * the caller's identity policy must both allow sts:AssumeRole, and, when the request sets a
 * SourceIdentity, sts:SetSourceIdentity too, each judged with its own request's keys.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
 * Cross-account, the caller's identity policy must allow the action as well as the trust policy:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export async function authorizeAssumeRole(
  trustPolicy: PolicyDocument,
  identityPolicy: PolicyDocument,
  request: AssumeRoleContext,
): Promise<{ allowed: true } | { allowed: false; action: string }> {
  const actions = request.sourceIdentity === undefined ? (['sts:AssumeRole'] as const) : (['sts:AssumeRole', 'sts:SetSourceIdentity'] as const);
  for (const action of actions) {
    const simulation: Simulation = {
      identityPolicies: [{ name: 'caller', policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trustPolicy,
      request: {
        action,
        principal: request.sessionArn,
        resource: { accountId: accountOf(request.roleArn), resource: request.roleArn },
        contextVariables: contextFor(action, request),
      },
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(`the IAM simulator refused the simulation: ${JSON.stringify(result.errors)}`);
    if (result.overallResult !== 'Allowed') return { allowed: false, action };
  }
  return { allowed: true };
}

/** What a broker's login role may do when a test does not say: assume any role. */
export const ALLOW_ASSUME_ANY_ROLE: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }],
};

/**
 * The trust policy the IAM user guide gives for a role that a third party assumes with an external ID
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html), narrowed
 * to one principal, with SetSourceIdentity allowed by principal alone: for tests that are not about trust.
 */
export function externalIdTrustPolicy(externalIds: readonly string[], principalArn: string): PolicyDocument {
  const principal = { AWS: `arn:aws:iam::${accountOf(principalArn)}:root` };
  const fromPrincipal = { ArnEquals: { 'aws:PrincipalArn': principalArn } };
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', Condition: { ...fromPrincipal, StringEquals: { 'sts:ExternalId': [...externalIds] } } },
      { Effect: 'Allow', Principal: principal, Action: 'sts:SetSourceIdentity', Condition: fromPrincipal },
    ],
  };
}

/**
 * Whether a principal of the secret's own account may read it: its identity policy allows and the
 * secret's resource policy does not deny (same-account evaluation:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * `sourceFunctionArn` is the function whose code made the call with its execution role's credentials:
 * Lambda puts it in the request context as lambda:SourceFunctionArn, and leaves it out for anyone else
 * (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html).
 */
export async function authorizeSecretRead(
  resourcePolicy: PolicyDocument,
  identityPolicy: PolicyDocument,
  principalArn: string,
  secretArn: string,
  sourceFunctionArn?: string,
): Promise<boolean> {
  const [, , , , account = '', resource = ''] = principalArn.split(':');
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'caller', policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      request: {
        action: 'secretsmanager:GetSecretValue',
        principal: `arn:aws:sts::${account}:assumed-role/${resource.replace('role/', '')}/session`,
        resource: { accountId: accountOf(secretArn), resource: secretArn },
        contextVariables: {
          'aws:PrincipalArn': principalArn,
          'aws:PrincipalAccount': account,
          ...(sourceFunctionArn === undefined ? {} : { 'lambda:SourceFunctionArn': sourceFunctionArn }),
        },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the IAM simulator refused the simulation: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}
