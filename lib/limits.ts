import { readFileSync } from 'node:fs';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';

/**
 * Limits AWS enforces only when a stack deploys, checked on the synthesized templates so that
 * `cdk synth` fails with the limit, the value and what to change, before a registry that has grown too
 * large half-deploys. aws-cdk-lib's own refusal of a stack over 500 resources is turned off
 * (lib/app.ts) in favour of the check here, which says what to change.
 */
const CFN_QUOTAS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';
const IAM_QUOTAS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html';
const LAMBDA_QUOTAS = 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html';
const KMS_KEY_POLICY = 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html';

export const LIMITS = {
  // CFN_QUOTAS
  resources: 500,
  dynamicReferences: 60,
  outputs: 200,
  parameters: 200,
  // IAM_QUOTAS, in characters without white space; the trust policy and managed policies per role are adjustable defaults.
  trustPolicyCharacters: 2048,
  roleInlinePolicyCharacters: 10_240,
  managedPolicyCharacters: 6144,
  managedPoliciesPerRole: 10,
  // LAMBDA_QUOTAS
  environmentBytes: 4096,
  // KMS_KEY_POLICY: a key policy document, in bytes.
  keyPolicyBytes: 32_768,
} as const;

type Json = unknown;

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}

interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Outputs?: Record<string, Json>;
  readonly Parameters?: Record<string, Json>;
}

/**
 * What an intrinsic stands for once CloudFormation resolves it, at its longest: a size checked with
 * these stand-ins is never smaller than the one AWS checks.
 */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-55',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};
// An ARN or name of a resource CloudFormation creates, such as the login function's or a log group's.
const RESOURCE_VALUE = 'x'.repeat(128);
// A dynamic reference resolves to an external ID: this app generates 48 characters; 64 leaves room for one put by hand.
const DYNAMIC_REFERENCE_VALUE = 'x'.repeat(64);
// Secrets Manager appends a hyphen and six random characters to a secret's name in its ARN.
const SECRET_ARN_SUFFIX = '-xxxxxx';

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as AWS will see it, intrinsics replaced by stand-ins at least as long as what they resolve to. */
function render(value: Json, template: Template): Json {
  if (typeof value === 'string') return value.replace(/\{\{resolve:[^}]*\}\}/g, DYNAMIC_REFERENCE_VALUE);
  if (Array.isArray(value)) return value.map((item) => render(item, template));
  if (!isObject(value)) return value;
  const [key, argument] = Object.entries(value)[0] ?? [];
  if (Object.keys(value).length !== 1 || key === undefined || !key.startsWith('Fn::') && key !== 'Ref') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, template)]));
  }
  return render(intrinsic(key, argument, template), template);
}

function intrinsic(name: string, argument: Json, template: Template): Json {
  if (name === 'Ref' && typeof argument === 'string') return reference(argument, template);
  if (name === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) {
    const separator = typeof argument[0] === 'string' ? argument[0] : '';
    return argument[1].map((part) => String(render(part, template))).join(separator);
  }
  if (name === 'Fn::Sub') {
    const text: Json = Array.isArray(argument) ? (argument as Json[])[0] : argument;
    if (typeof text === 'string') return text.replace(/\$\{([^}!][^}]*)\}/g, (_, ref: string) => reference(ref, template));
  }
  // Either branch may be the one deployed.
  if (name === 'Fn::If' && Array.isArray(argument)) {
    return [argument[1], argument[2]].map((branch) => render(branch, template)).reduce((a, b) => (JSON.stringify(a).length >= JSON.stringify(b).length ? a : b));
  }
  return RESOURCE_VALUE;
}

function reference(name: string, template: Template): string {
  const pseudo = PSEUDO_PARAMETERS[name];
  if (pseudo !== undefined) return pseudo;
  const resource = template.Resources?.[name];
  const secretName = resource?.Type === 'AWS::SecretsManager::Secret' ? resource.Properties?.Name : undefined;
  return typeof secretName === 'string' ? secretArnAtLongest(secretName) : RESOURCE_VALUE;
}

/** The ARN of the secret named `secretName` as long as it can be once deployed: what this check counts for it. */
export function secretArnAtLongest(secretName: string): string {
  return `arn:${PSEUDO_PARAMETERS['AWS::Partition']}:secretsmanager:${PSEUDO_PARAMETERS['AWS::Region']}:${PSEUDO_PARAMETERS['AWS::AccountId']}:secret:${secretName}${SECRET_ARN_SUFFIX}`;
}

/** IAM counts a policy's characters without white space. */
function policyCharacters(document: Json, template: Template): number {
  return JSON.stringify(render(document, template)).replace(/\s/g, '').length;
}

function nameOf(name: Json, logicalId: string): string {
  return typeof name === 'string' ? name : logicalId;
}

function refersTo(list: Json, logicalId: string): boolean {
  return Array.isArray(list) && list.some((item) => isObject(item) && item.Ref === logicalId);
}

/** One limit as applied to one template or resource: a violation when `measured` exceeds `limit`. */
interface Check {
  readonly rule: string;
  readonly measured: number;
  readonly limit: number;
  readonly description: string;
  readonly fix: string;
  readonly resource?: string;
  readonly location: string;
}

const TARGETS_PER_STACK_FIX =
  'Each target adds to this stack: move targets of this stack to another configuration (a second broker), or, for a target account stack, set "deployedBy": "owner" on some of its targets so that their owners deploy the standalone template.';

function templateChecks(template: Template, stack: string): Check[] {
  const text = JSON.stringify(template);
  const counts = [
    { rule: 'Resources', measured: Object.keys(template.Resources ?? {}).length, limit: LIMITS.resources, what: 'resources', location: 'Resources' },
    { rule: 'DynamicReferences', measured: (text.match(/\{\{resolve:/g) ?? []).length, limit: LIMITS.dynamicReferences, what: 'dynamic references', location: 'Resources' },
    { rule: 'Outputs', measured: Object.keys(template.Outputs ?? {}).length, limit: LIMITS.outputs, what: 'outputs', location: 'Outputs' },
    { rule: 'Parameters', measured: Object.keys(template.Parameters ?? {}).length, limit: LIMITS.parameters, what: 'parameters', location: 'Parameters' },
  ];
  return counts.map(({ what, ...count }) => ({
    ...count,
    description: `The template of stack ${stack} has ${count.measured} ${what}; CloudFormation accepts at most ${count.limit} per template (${CFN_QUOTAS}).`,
    fix: TARGETS_PER_STACK_FIX,
  }));
}

function resourceChecks(template: Template): Check[] {
  const resources = Object.entries(template.Resources ?? {});
  const checks: Check[] = [];
  for (const [id, resource] of resources) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      const trust = policyCharacters(properties.AssumeRolePolicyDocument, template);
      checks.push({
        rule: 'RoleTrustPolicySize',
        resource: id,
        location: 'Properties/AssumeRolePolicyDocument',
        description: `The trust policy of role ${nameOf(properties.RoleName, id)} is up to ${trust} characters; IAM accepts ${LIMITS.trustPolicyCharacters} by default (${IAM_QUOTAS}).`,
        fix: 'Ask for an increase of the IAM quota "Role trust policy length" (up to 4096) in that account, or shorten what the trust policy names.',
        measured: trust,
        limit: LIMITS.trustPolicyCharacters,
      });
      const inline = [
        ...(Array.isArray(properties.Policies) ? properties.Policies.map((p) => (isObject(p) ? p.PolicyDocument : undefined)) : []),
        ...resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy' && refersTo(r.Properties?.Roles, id)).map(([, r]) => r.Properties?.PolicyDocument),
      ].reduce<number>((sum, document) => sum + (document === undefined ? 0 : policyCharacters(document, template)), 0);
      checks.push({
        rule: 'RoleInlinePolicySize',
        resource: id,
        location: 'Policies',
        description: `The inline policies of role ${nameOf(properties.RoleName, id)} are up to ${inline} characters together; IAM accepts at most ${LIMITS.roleInlinePolicyCharacters} (${IAM_QUOTAS}).`,
        fix: 'Move statements into customer managed policies attached to the role, as the broker stack does with each target\'s role and secret ARNs.',
        measured: inline,
        limit: LIMITS.roleInlinePolicyCharacters,
      });
      const attached =
        (Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns.length : 0) +
        resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && refersTo(r.Properties?.Roles, id)).length;
      checks.push({
        rule: 'ManagedPoliciesPerRole',
        resource: id,
        location: 'Properties/ManagedPolicyArns',
        description: `Role ${nameOf(properties.RoleName, id)} has ${attached} managed policies attached; IAM accepts ${LIMITS.managedPoliciesPerRole} by default (${IAM_QUOTAS}).`,
        fix: 'For a target role, name fewer managedPolicies; for the login role, whose target role ARNs fill one managed policy per about ninety targets, move targets to a second broker configuration. Or ask for an increase of the IAM quota "Managed policies per role" (up to 20) in that account.',
        measured: attached,
        limit: LIMITS.managedPoliciesPerRole,
      });
    }
    if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      const size = policyCharacters(properties.PolicyDocument, template);
      checks.push({
        rule: 'ManagedPolicySize',
        resource: id,
        location: 'Properties/PolicyDocument',
        description: `Managed policy ${nameOf(properties.ManagedPolicyName, id)} is up to ${size} characters; IAM accepts at most ${LIMITS.managedPolicyCharacters} (${IAM_QUOTAS}).`,
        fix: 'Split its statements over several managed policies.',
        measured: size,
        limit: LIMITS.managedPolicyCharacters,
      });
    }
    if (resource.Type === 'AWS::KMS::Key') {
      const bytes = Buffer.byteLength(JSON.stringify(render(properties.KeyPolicy, template)));
      checks.push({
        rule: 'KeyPolicySize',
        resource: id,
        location: 'Properties/KeyPolicy',
        description: `The policy of key ${id} is up to ${bytes} bytes; KMS accepts at most ${LIMITS.keyPolicyBytes} (${KMS_KEY_POLICY}).`,
        fix: 'Each broker-deployed target account adds its CloudFormation execution role to the key policy of the external IDs: move some of those accounts\' targets to "deployedBy": "owner", or to a second broker configuration.',
        measured: bytes,
        limit: LIMITS.keyPolicyBytes,
      });
    }
    if (resource.Type === 'AWS::Lambda::Function') {
      const variables = isObject(properties.Environment) ? properties.Environment.Variables : undefined;
      const bytes = isObject(variables)
        ? Object.entries(variables).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(render(value, template))), 0)
        : 0;
      checks.push({
        rule: 'FunctionEnvironmentSize',
        resource: id,
        location: 'Properties/Environment/Variables',
        description: `The environment variables of function ${id} are up to ${bytes} bytes together; Lambda accepts at most ${LIMITS.environmentBytes} (${LAMBDA_QUOTAS}).`,
        fix: 'Shorten the configuration that lands in the environment (the openIdProvider fields), or bake it into the bundle as the registry is.',
        measured: bytes,
        limit: LIMITS.environmentBytes,
      });
    }
  }
  return checks;
}

/** A cdk validation plugin: `Validations.of(app).addPlugins(new DeployLimits())`. */
export class DeployLimits implements IPolicyValidationPlugin {
  readonly name = 'ConsoleBrokerDeployLimits';

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = context.stackTemplates.flatMap(({ templatePath, stackConstructPath }) => {
      const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
      return [...templateChecks(template, stackConstructPath), ...resourceChecks(template)]
        .filter((check) => check.measured > check.limit)
        .map((check) => ({
          ruleName: check.rule,
          description: check.description,
          fix: check.fix,
          violatingResources: [
            check.resource === undefined
              ? { templatePath, locations: [check.location] }
              : { resourceLogicalId: check.resource, templatePath, locations: [check.location] },
          ],
        }));
    });
    return { success: violations.length === 0, violations };
  }
}
