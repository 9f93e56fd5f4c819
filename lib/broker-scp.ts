import type { BrokerConfig } from './config';
import { BROKER_STACK_NAME, brokerRoleArn, ENTRY_SECRET_NAMES, slackRoleName } from './names';

/** The stack `cdk bootstrap` deploys unless told another name: https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html */
const CDK_TOOLKIT_STACK_NAME = 'CDKToolkit';

/** The qualifier `cdk bootstrap` uses unless told another. */
export const DEFAULT_CDK_QUALIFIER = 'hnb659fds';

// The bootstrap template's Qualifier parameter (node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml):
// https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
const QUALIFIER = /^[A-Za-z0-9_-]{1,10}$/;
// A role name, optionally under a path: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
const ROLE_PATH_AND_NAME = /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export interface BrokerScpOptions {
  /**
   * The qualifier the broker account and region were bootstrapped with (`cdk bootstrap --qualifier`).
   * @default 'hnb659fds'
   */
  readonly qualifier?: string;
  /**
   * A role of the broker account, by name with its path if it has one, that may bootstrap the CDK there
   * (create and change the `cdk-<qualifier>-*` roles and stacks). It becomes a broker administrator.
   * @default - none: detach the policy to run `cdk bootstrap` in the broker account
   */
  readonly adminRoleName?: string;
}

interface DenyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Resource: readonly string[];
  readonly Condition: Record<string, Record<string, string | readonly string[]>>;
}

export interface ServiceControlPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly (DenyStatement & ({ readonly Action: readonly string[] } | { readonly NotAction: readonly string[] }))[];
}

export class BrokerScpError extends Error {
  constructor(option: string, problem: string) {
    super(`Invalid broker account policy option: ${option} ${problem}`);
    this.name = 'BrokerScpError';
  }
}

// What makes or changes a role: its trust policy, permissions, boundary, tags or existence.
const CREATING_OR_CHANGING_A_ROLE = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

type BrokerAccount = Pick<BrokerConfig, 'partition' | 'accountId' | 'region'>;

/** A bootstrap role's ARN; `cdk bootstrap` names each `cdk-<qualifier>-<kind>-<account>-<region>` with no path. */
export function cdkRoleArn(broker: BrokerAccount, qualifier: string, kind: 'cfn-exec-role' | 'deploy-role' | 'file-publishing-role'): string {
  return `arn:${broker.partition}:iam::${broker.accountId}:role/cdk-${qualifier}-${kind}-${broker.accountId}-${broker.region}`;
}

/**
 * The service control policy for the broker account. Each exemption names an exact role ARN: role names
 * are unique in an account, so nobody can make a second role that matches, while a pattern such as
 * `cdk-hnb659fds-cfn-exec-role-*` is matched by any role an administrator creates with that prefix.
 */
export function brokerAccountScp(broker: BrokerAccount, options: BrokerScpOptions = {}): ServiceControlPolicy {
  const qualifier = options.qualifier ?? DEFAULT_CDK_QUALIFIER;
  if (!QUALIFIER.test(qualifier)) throw new BrokerScpError('qualifier', `must be 1-10 letters, digits, _ or - (cdk bootstrap's rule), got "${qualifier}"`);
  if (options.adminRoleName !== undefined && !ROLE_PATH_AND_NAME.test(options.adminRoleName)) {
    throw new BrokerScpError('admin role', `must be an IAM role name, optionally after its path (such as admins/BrokerAdmin), got "${options.adminRoleName}"`);
  }
  const { partition, accountId, region } = broker;
  const roleArn = (name: string): string => `arn:${partition}:iam::${accountId}:role/${name}`;
  const executionRole = cdkRoleArn(broker, qualifier, 'cfn-exec-role');
  const admin = options.adminRoleName === undefined ? [] : [roleArn(options.adminRoleName)];
  const unless = (...principals: string[]): Record<string, Record<string, readonly string[]>> => ({ ArnNotEquals: { 'aws:PrincipalArn': principals } });
  // Every function of the broker stack: the login and the doctor run as the login role, and so does the
  // Slack entry without a browser entry; the browser and Slack entries hold what their secrets guard. So
  // also the entries configured later, with no new policy. CloudFormation names a function
  // <stack>-<logical ID>-<random suffix>, so only a prefix is known before deploy:
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
  const functions = [`arn:${partition}:lambda:${region}:${accountId}:function:${BROKER_STACK_NAME}-*`];
  // Secrets Manager ends a secret's ARN with a hyphen and six random characters:
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html#auth-and-access_examples_wildcard
  const entrySecrets = Object.values(ENTRY_SECRET_NAMES).map((name) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-??????`);
  // Role names are unique in an account whatever the path, so a cdk-<qualifier>- name under a path would block bootstrap.
  const cdkRoles = [roleArn(`cdk-${qualifier}-*`), roleArn(`*/cdk-${qualifier}-*`)];
  // A stack's ARN is stack/<name>/<id> (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html#awscloudformation-resources-for-iam-policies).
  // The prefix covers the broker stack, a target stack in the broker account and any ConsoleBroker* stack added later.
  const brokerStacks = [`${BROKER_STACK_NAME}*`, CDK_TOOLKIT_STACK_NAME].map((name) => `arn:${partition}:cloudformation:*:${accountId}:stack/${name}/*`);
  const assetsBucket = `arn:${partition}:s3:::cdk-${qualifier}-assets-${accountId}-${region}`;

  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInvokingTheBrokerExceptThroughItsFunctionUrl',
        Effect: 'Deny',
        Action: ['lambda:InvokeFunction'],
        Resource: functions,
        // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
        Condition: { BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' } },
      },
      {
        Sid: 'DenyChangingTheBrokerFunctionsExceptByCloudFormation',
        Effect: 'Deny',
        Action: [
          'lambda:AddPermission',
          'lambda:CreateAlias',
          'lambda:CreateFunctionUrlConfig',
          'lambda:DeleteAlias',
          'lambda:DeleteFunction',
          'lambda:DeleteFunctionConcurrency',
          'lambda:DeleteFunctionEventInvokeConfig',
          'lambda:DeleteFunctionUrlConfig',
          'lambda:PublishVersion',
          'lambda:PutFunctionConcurrency',
          'lambda:PutFunctionEventInvokeConfig',
          'lambda:RemovePermission',
          'lambda:UpdateAlias',
          'lambda:UpdateFunctionCode',
          'lambda:UpdateFunctionConfiguration',
          'lambda:UpdateFunctionEventInvokeConfig',
          'lambda:UpdateFunctionUrlConfig',
        ],
        Resource: functions,
        Condition: unless(executionRole),
      },
      {
        Sid: 'DenyChangingOrPassingTheBrokerRolesExceptByCloudFormation',
        Effect: 'Deny',
        Action: [...CREATING_OR_CHANGING_A_ROLE, 'iam:PassRole'],
        Resource: [brokerRoleArn(partition, accountId, region), roleArn(slackRoleName(region))],
        Condition: unless(executionRole),
      },
      {
        // Whoever puts the signing secret or the session key can sign a Slack command or seal a session
        // cookie as anyone, and whoever changes a secret's resource policy can read it. So everything but
        // reading (which each resource policy leaves to the entry's role) is denied, new actions too:
        // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
        Sid: 'DenyChangingTheEntrySecretsExceptByCloudFormationAndTheAdmin',
        Effect: 'Deny',
        NotAction: [
          'secretsmanager:BatchGetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetResourcePolicy',
          'secretsmanager:GetSecretValue',
          'secretsmanager:ListSecretVersionIds',
        ],
        Resource: entrySecrets,
        Condition: unless(executionRole, ...admin),
      },
      {
        // Whoever could change the execution role's trust policy, or make it before bootstrap does, could act as it.
        Sid: 'DenyCreatingOrChangingTheCdkRolesExceptByBootstrap',
        Effect: 'Deny',
        Action: CREATING_OR_CHANGING_A_ROLE,
        Resource: [...cdkRoles, ...admin],
        Condition: unless(executionRole, ...admin),
      },
      {
        // `cdk deploy` passes the execution role to CloudFormation as the deploy role.
        Sid: 'DenyPassingTheCdkRolesExceptByTheDeployRole',
        Effect: 'Deny',
        Action: ['iam:PassRole'],
        Resource: cdkRoles,
        Condition: unless(cdkRoleArn(broker, qualifier, 'deploy-role'), ...admin),
      },
      {
        // A stack keeps the role it was deployed with, and CloudFormation uses it for whoever may change the
        // stack, without iam:PassRole: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
        // Only this app's stacks and the CDK toolkit's, so the execution roles of StackSets, Control Tower and
        // Landing Zone Accelerator still deploy their own (StackSet-*, AWSAccelerator-*) here.
        Sid: 'DenyChangingTheBrokerStacksExceptByTheCdkDeployRole',
        Effect: 'Deny',
        Action: [
          'cloudformation:ContinueUpdateRollback',
          'cloudformation:CreateChangeSet',
          'cloudformation:CreateStack',
          'cloudformation:DeleteStack',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:RollbackStack',
          'cloudformation:UpdateStack',
        ],
        Resource: brokerStacks,
        Condition: unless(cdkRoleArn(broker, qualifier, 'deploy-role'), ...admin),
      },
      {
        // CloudFormation reads the functions' code from here; an asset whose hash exists is not uploaded again.
        Sid: 'DenyWritingTheCdkAssetsExceptByPublishing',
        Effect: 'Deny',
        Action: ['s3:DeleteBucketPolicy', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketAcl', 's3:PutBucketPolicy', 's3:PutObject', 's3:PutObjectAcl'],
        Resource: [assetsBucket, `${assetsBucket}/*`],
        Condition: unless(cdkRoleArn(broker, qualifier, 'file-publishing-role'), cdkRoleArn(broker, qualifier, 'deploy-role'), ...admin),
      },
    ],
  };
}

// AWS Organizations takes an SCP of at most 5,120 characters, whitespace included:
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
export const SCP_MAX_CHARACTERS = 5120;

/** The policy as the shipped example file holds it: one statement a line, to stay within the SCP size quota. */
export function brokerAccountScpJson(broker: BrokerAccount, options: BrokerScpOptions = {}): string {
  const policy = brokerAccountScp(broker, options);
  const text = `{"Version":"${policy.Version}","Statement":[\n${policy.Statement.map((statement) => JSON.stringify(statement)).join(',\n')}\n]}\n`;
  if (text.length > SCP_MAX_CHARACTERS) throw new BrokerScpError('admin role', `makes the policy ${text.length} characters, over the SCP quota of ${SCP_MAX_CHARACTERS}`);
  return text;
}
