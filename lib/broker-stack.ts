import * as path from 'node:path';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DOCTOR_RULE_NAME } from '../lambda/doctor/doctor';
import { DOCTOR_TIMEOUT_SECONDS } from '../lambda/doctor/timing';
import { externalIdSecretName, type Registry, type Target } from '../lambda/core/registry';
import type { BrokerConfig, SlackConfig } from './config';
import { LoginFunction } from './constructs/login-function';
import { Observability } from './constructs/observability';
import { LIMITS } from './limits';
import { brokerRoleName, ENTRY_SECRET_NAMES, slackRoleName, targetRoleArn } from './names';

export interface BrokerStackProps extends StackProps {
  readonly config: BrokerConfig;
}

/** Where the IAM entry sends people whose console session ended; read in lambda/iam/handler.ts. */
const CONSOLE_ISSUER_URL = 'CONSOLE_ISSUER_URL';

export class BrokerStack extends Stack {
  readonly loginRole: iam.Role;
  readonly loginFunction: LoginFunction;
  readonly doctorFunction: LoginFunction;
  /** Encrypts the external IDs, which the ExternalIdStacks hold, and the entries' secrets. */
  readonly externalIdKey: kms.Key;

  constructor(scope: Construct, id: string, props: BrokerStackProps) {
    super(scope, id, props);
    const { config } = props;

    // A customer-managed key: a secret under the AWS managed key cannot be read from another account.
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
    const key = (this.externalIdKey = new kms.Key(this, 'ExternalIdKey', {
      description: 'Encrypts the external IDs of console-broker targets',
      enableKeyRotation: true,
      // Kept on update and delete, as the secrets it encrypts are; deleted (scheduled, as KMS does) when
      // the create that made it rolls back, so failed first deploys leave no keys behind.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    }));

    this.loginRole = new iam.Role(this, 'LoginRole', {
      roleName: brokerRoleName(config.region),
      description: 'console-broker login Lambda: reads external IDs and assumes target roles',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    const registry = registryFor(config);

    this.loginFunction = new LoginFunction(this, 'LoginFunction', {
      registry,
      role: this.loginRole,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
    });

    // The doctor does for every target what a login does, so it runs as the login role; in its own
    // function, because hundreds of targets do not fit a login's timeout.
    this.doctorFunction = new LoginFunction(this, 'DoctorFunction', {
      entry: path.join(__dirname, '..', 'lambda', 'doctor', 'handler.ts'),
      registry,
      role: this.loginRole,
      logRetentionDays: config.logRetentionDays,
      timeout: Duration.seconds(DOCTOR_TIMEOUT_SECONDS),
      // A run holds an execution for up to five minutes and calls STS as the login role: a reservation
      // (2: the schedule's run and an operator's) caps what any number of runs takes from logins, once
      // the account's quota can spare it (README, The doctor).
      reservedConcurrency: config.doctorReservedConcurrency,
    });
    // The schedule invokes asynchronously: a throttled event goes back to Lambda's queue and is retried
    // for up to six hours, and a failed run twice more, unless told otherwise. A run that could not start
    // within the hour is dropped, as the next run checks again, and a run that failed is not repeated.
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    this.doctorFunction.configureAsyncInvoke({ maxEventAge: Duration.hours(1), retryAttempts: 0 });

    const web = config.openIdProvider ? this.webEntry(config, key, registry) : undefined;
    // The console sends people to the login URL's Issuer when their session ends; the IAM entry's own
    // URL would show a browser only {"Message":"Forbidden"}, so send them to the browser entry. Without
    // one the Lambda falls back to the partition's console (lambda/iam/handler.ts).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
    if (web) this.loginFunction.addEnvironment(CONSOLE_ISSUER_URL, web.url);
    const slack = config.slack ? this.slackEntry(config.slack, config, key, registry, web?.url) : undefined;

    const observability = new Observability(this, 'Observability', { iamEntry: this.loginFunction, browserEntry: web?.fn, slackEntry: slack, doctor: this.doctorFunction });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: observability.topic.topicArn,
      description: "Subscribe to this SNS topic to hear the broker's alarms (README, Operating it)",
    });

    // Every external ID's secret, by the name prefix the ExternalIdStacks give them (the suffix Secrets Manager
    // adds falls under the *): https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
    const externalIdSecretsArn = `arn:${config.partition}:secretsmanager:${config.region}:${config.accountId}:secret:${externalIdSecretName('')}*`;
    this.loginRole.attachInlinePolicy(
      new iam.Policy(this, 'LoginPolicy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'WriteOwnLogs',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [this.loginFunction, this.doctorFunction, ...(web ? [web.fn] : [])].map((fn) => fn.logGroup.logGroupArn),
          }),
          ...(web
            ? [
                // The doctor, and the Slack entry without a browser entry, run as this role too: only the
                // browser entry's own code reads the session key and the client secret.
                new iam.PolicyStatement({
                  sid: 'ReadWebSecrets',
                  actions: ['secretsmanager:GetSecretValue'],
                  resources: web.secrets.map((s) => s.secretArn),
                  conditions: onlyFromFunction(web.fn),
                }),
              ]
            : []),
          new iam.PolicyStatement({ sid: 'ReadExternalIds', actions: ['secretsmanager:GetSecretValue'], resources: [externalIdSecretsArn] }),
          new iam.PolicyStatement({ sid: 'DecryptExternalIds', actions: ['kms:Decrypt'], resources: [key.keyArn] }),
        ],
      }),
    );
    Validations.of(this.node.findChild('LoginPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${externalIdSecretsArn}]`,
      reason:
        "The external IDs' secrets by the name prefix this stack gives them, in this account and region only: one statement instead of one ARN per target, so that a fleet fits IAM's default of ten managed policies per role. The Lambdas read only the secrets their baked registry names, every one made by this stack.",
    });

    // Each target's role, by exact ARN, in customer managed policies: an inline policy holds about 60
    // targets' roles, a managed policy about 90, so IAM's default of ten per role holds hundreds.
    targetPolicyShares(registry.targets).forEach((share, index) => {
      new iam.ManagedPolicy(this, `LoginTargetsPolicy${index}`, {
        description: `console-broker login role: the roles of targets ${share[0]?.name ?? ''} to ${share.at(-1)?.name ?? ''}`,
        roles: [this.loginRole],
        statements: [
          new iam.PolicyStatement({ sid: 'AssumeTargetRoles', actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], resources: share.map((t) => t.roleArn) }),
        ],
      });
    });

    // The doctor checks every target hourly and writes the DoctorFailed metric; the Lambda takes a
    // scheduled event only from a rule of this name (lambda/doctor/doctor.ts).
    new events.Rule(this, 'DoctorSchedule', {
      ruleName: DOCTOR_RULE_NAME,
      description: 'Runs the console-broker doctor: reads each target\'s external ID and assumes its role',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new eventTargets.LambdaFunction(this.doctorFunction, { retryAttempts: 0 })],
    });
    this.doctorUrl(config);

    const url = this.loginFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    // Function URLs need both lambda:InvokeFunctionUrl and lambda:InvokeFunction (since October 2025);
    // grantInvokeUrl adds both. https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    for (const account of callerAccounts(config)) {
      this.loginFunction.grantInvokeUrl(new iam.AccountPrincipal(account));
    }
    // Naming an account in the URL's resource policy delegates to that account's IAM: every caller also
    // needs both actions in its own identity policy, or AWS answers 403. Callers in this account (and
    // permission sets, which reference a customer managed policy by name) attach this policy; callers
    // elsewhere put the CallerPolicyDocument output in theirs.
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    const callerStatements = callerPolicyStatements(this.loginFunction.functionArn);
    new iam.ManagedPolicy(this, 'CallerPolicy', {
      managedPolicyName: callerPolicyName(config.region),
      description: 'Lets a principal call the console-broker IAM entry (its AWS_IAM function URL), and nothing else',
      statements: callerStatements,
    });

    new CfnOutput(this, 'LoginUrl', { value: url.url, description: 'The broker: GET <url><target> signed with SigV4' });
    new CfnOutput(this, 'LoginRoleArn', {
      value: this.loginRole.roleArn,
      description: 'Give this to a target account owner who deploys the standalone target template',
    });
    new CfnOutput(this, 'CallerPolicyDocument', {
      value: this.toJsonString(new iam.PolicyDocument({ statements: callerStatements })),
      description: `The identity policy a caller needs: attach ${callerPolicyName(config.region)} in this account, or put this document in a permission set or another account's policy`,
    });
  }

  /**
   * Operators run the doctor through its own AWS_IAM function URL, which only their accounts may call;
   * the handler then admits only the registry's operators. They need both actions in their identity
   * policy too: the OperatorPolicy managed policy here, or the OperatorPolicyDocument output elsewhere.
   * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
   */
  private doctorUrl(config: BrokerConfig): void {
    const url = this.doctorFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    for (const account of operatorAccounts(config)) {
      this.doctorFunction.grantInvokeUrl(new iam.AccountPrincipal(account));
    }
    const statements = callerPolicyStatements(this.doctorFunction.functionArn);
    new iam.ManagedPolicy(this, 'OperatorPolicy', {
      managedPolicyName: `console-broker-operator-${config.region}`,
      description: "Lets a principal call the console-broker doctor's AWS_IAM function URL, and nothing else",
      statements,
    });
    new CfnOutput(this, 'DoctorUrl', { value: url.url, description: "The doctor: GET <url> signed with SigV4, for the registry's operators" });
    new CfnOutput(this, 'OperatorPolicyDocument', {
      value: this.toJsonString(new iam.PolicyDocument({ statements })),
      description: `The identity policy an operator needs to run the doctor: attach console-broker-operator-${config.region} in this account, or put this document in a permission set or another account's policy`,
    });
  }

  /**
   * The browser entry: the same role, registry and core code behind a public function URL whose
   * every request the Lambda authenticates with the company's OpenID provider.
   */
  private webEntry(config: BrokerConfig, key: kms.IKey, registry: Registry): { fn: LoginFunction; url: string; secrets: secretsmanager.Secret[] } {
    const provider = config.openIdProvider;
    if (!provider) throw new Error('webEntry needs an openIdProvider');
    const clientSecret = new secretsmanager.Secret(this, 'OpenIdClientSecret', {
      secretName: ENTRY_SECRET_NAMES.oidcClientSecret,
      description: 'The client secret your OpenID provider issued to console-broker: put it here after deploying',
      encryptionKey: key,
      removalPolicy: RETAINED,
    });
    const sessionKey = new secretsmanager.Secret(this, 'SessionKey', {
      secretName: ENTRY_SECRET_NAMES.sessionKey,
      description: 'Encrypts and authenticates console-broker browser session cookies',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RETAINED,
    });
    // Whoever reads the session key can seal a cookie that names anyone, and whoever reads the client
    // secret can pose as the broker at the provider: only the login role may read them, whatever IAM
    // policies in this account allow. https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
    for (const secret of [clientSecret, sessionKey]) {
      secret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheLoginRoleReads',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.loginRole.roleArn } },
        }),
      );
    }
    Validations.of(clientSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The OpenID provider issues and rotates this client secret; the operator puts each new one here.',
    });
    Validations.of(sessionKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The session key is rotated by putting a new random value, with no other system to update; warm Lambdas read it within 5 minutes and accept the previous one for a session lifetime, so nobody is signed out.',
    });

    const fn = new LoginFunction(this, 'WebFunction', {
      entry: path.join(__dirname, '..', 'lambda', 'web', 'handler.ts'),
      registry,
      role: this.loginRole,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
      environment: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_SCOPES: provider.scopes.join(' '),
        OIDC_GROUPS_CLAIM: provider.groupsClaim,
        // The names as written: Secret.secretName is a token parsed from the ARN.
        OIDC_CLIENT_SECRET_ID: ENTRY_SECRET_NAMES.oidcClientSecret,
        SESSION_KEY_SECRET_ID: ENTRY_SECRET_NAMES.sessionKey,
        SESSION_MINUTES: String(provider.sessionMinutes),
      },
    });
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    Validations.of(url).acknowledge({
      id: 'ConsoleBroker-FunctionUrlAuth',
      reason:
        'The browser entry must open in a browser, which cannot sign SigV4. Every request is authenticated by the Lambda: a session cookie sealed with a Secrets Manager key after an OpenID sign-in, or a redirect to sign in.',
    });
    new CfnOutput(this, 'WebUrl', { value: url.url, description: 'The browser entry: open it to sign in with your company account' });
    new CfnOutput(this, 'WebCallbackUrl', {
      value: Fn.join('', [url.url, 'auth/callback']),
      description: "Register this as a redirect URI of the broker's client at your OpenID provider",
    });
    return { fn, url: url.url, secrets: [clientSecret, sessionKey] };
  }

  /**
   * The Slack entry: a public function URL that answers the slash command after verifying Slack's
   * signature. Beside a browser entry it only links into it, so it runs as a role of its own that reads
   * its two secrets and writes its logs, nothing else; without one it opens consoles itself, as the
   * login role that target trust policies name.
   */
  private slackEntry(slack: SlackConfig, config: BrokerConfig, key: kms.IKey, registry: Registry, webUrl: string | undefined): LoginFunction {
    const role =
      webUrl === undefined
        ? this.loginRole
        : new iam.Role(this, 'SlackRole', {
            roleName: slackRoleName(config.region),
            description: 'console-broker Slack entry beside a browser entry: reads its Slack secrets, writes its logs, opens nothing',
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          });
    const secret = (id: string, name: string, description: string): secretsmanager.Secret => {
      const created = new secretsmanager.Secret(this, id, { secretName: name, description, encryptionKey: key, removalPolicy: RETAINED });
      // Whoever reads the signing secret can sign a command as Slack, and the bot token reads the
      // workspace's members: only the Slack entry's role may read them, whatever IAM policies allow.
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
      created.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheSlackEntryReads',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
        }),
      );
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Slack issues this value (the app\'s signing secret or bot token) and rotates it in the Slack app\'s settings; the operator puts each new one here, and warm Lambdas read it within 5 minutes.',
      });
      return created;
    };
    const signingSecret = secret('SlackSigningSecret', ENTRY_SECRET_NAMES.slackSigningSecret, "Your Slack app's signing secret: put it here after deploying");
    const botToken = secret('SlackBotToken', ENTRY_SECRET_NAMES.slackBotToken, "Your Slack app's bot token (xoxb-...): put it here after deploying");

    const fn = new LoginFunction(this, 'SlackFunction', {
      entry: path.join(__dirname, '..', 'lambda', 'slack', 'handler.ts'),
      registry,
      role,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
      environment: {
        SLACK_TEAM_IDS: slack.teamIds.join(' '),
        SLACK_ENTERPRISE_IDS: slack.enterpriseIds.join(' '),
        SLACK_EMAIL_DOMAINS: slack.emailDomains.join(' '),
        SLACK_USER_GROUPS: JSON.stringify(slack.userGroups),
        // The names as written: Secret.secretName is a token parsed from the ARN.
        SLACK_SIGNING_SECRET_ID: ENTRY_SECRET_NAMES.slackSigningSecret,
        SLACK_BOT_TOKEN_SECRET_ID: ENTRY_SECRET_NAMES.slackBotToken,
        // Slack waits three seconds, cold start included: each AWS call gets one.
        OUTBOUND_TIMEOUT_MS: '1000',
        ...(webUrl === undefined ? {} : { WEB_ENTRY_URL: webUrl }),
      },
    });
    new iam.Policy(this, 'SlackPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'WriteSlackLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [fn.logGroup.logGroupArn] }),
        // Without a browser entry the role is the login role, which the login function and the doctor share.
        new iam.PolicyStatement({
          sid: 'ReadSlackSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [signingSecret.secretArn, botToken.secretArn],
          conditions: onlyFromFunction(fn),
        }),
        // Only through Secrets Manager, for these two secrets: the key also encrypts the external IDs.
        // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context
        new iam.PolicyStatement({
          sid: 'DecryptSlackSecrets',
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` },
            'ForAnyValue:StringEquals': { 'kms:EncryptionContext:SecretARN': [signingSecret.secretArn, botToken.secretArn] },
          },
        }),
      ],
    });
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    Validations.of(url).acknowledge({
      id: 'ConsoleBroker-FunctionUrlAuth',
      reason:
        "Slack cannot sign SigV4. The Lambda verifies every request with Slack's v0 HMAC-SHA256 signature under the app's signing secret, in constant time, refusing requests older than five minutes and workspaces the configuration does not name, before anything else.",
    });
    new CfnOutput(this, 'SlackUrl', { value: url.url, description: "The Slack entry: put it as the slash command's Request URL in your Slack app" });
    return fn;
  }

  /**
   * Lets CloudFormation in each broker-deployed target account, acting as its execution role, decrypt
   * the external IDs through Secrets Manager; which secrets each may read, their resource policies say
   * (ExternalIdStack.allowTargetDeployer). One statement for every account, as a statement each would
   * outgrow the key policy's 32 KB at about eighty accounts (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
   */
  allowTargetDeployers(deployers: ReadonlyMap<string, string>): void {
    if (deployers.size === 0) return;
    this.externalIdKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TargetAccountDeployers',
        actions: ['kms:Decrypt'],
        principals: [...deployers.keys()].map((accountId) => new iam.AccountPrincipal(accountId)),
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': [...deployers.values()] },
          StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` },
        },
      }),
    );
  }
}

/**
 * What happens to a named resource that holds state when CloudFormation removes it: kept on an update or
 * a stack deletion, deleted when the create that made it rolls back, so that a retry can take its name
 * again (DeletionPolicy RetainExceptOnCreate: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
 */
const RETAINED = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

/** Room in a managed policy for its statement's name, actions and brackets, measured from an empty one with headroom. */
const TARGET_POLICY_FRAME = 300;

/**
 * The targets cut into consecutive shares whose role ARNs fit one managed policy.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
function targetPolicyShares(targets: readonly Target[]): Target[][] {
  const shares: Target[][] = [];
  let current: Target[] = [];
  let size = TARGET_POLICY_FRAME;
  for (const target of targets) {
    // Each ARN is quoted and followed by a comma.
    const cost = target.roleArn.length + 3;
    if (current.length > 0 && size + cost > LIMITS.managedPolicyCharacters) {
      shares.push(current);
      current = [];
      size = TARGET_POLICY_FRAME;
    }
    current.push(target);
    size += cost;
  }
  if (current.length > 0) shares.push(current);
  return shares;
}

/** The customer managed policy that callers in the broker account attach. */
function callerPolicyName(region: string): string {
  return `console-broker-caller-${region}`;
}

/**
 * What a caller's identity policy must allow: the URL invocation (only as AWS_IAM) and the function
 * invocation only when it comes through the URL, on exactly the login function.
 * Condition keys: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */
function callerPolicyStatements(functionArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'InvokeBrokerUrl',
      actions: ['lambda:InvokeFunctionUrl'],
      resources: [functionArn],
      conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
    }),
    new iam.PolicyStatement({
      sid: 'InvokeBrokerThroughUrl',
      actions: ['lambda:InvokeFunction'],
      resources: [functionArn],
      conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    }),
  ];
}

/**
 * A condition that admits only calls made with `fn`'s execution-role credentials from its own code: Lambda
 * puts the calling function's ARN in lambda:SourceFunctionArn, which identity policies (not resource
 * policies) can test with an ARN operator. https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
 */
function onlyFromFunction(fn: lambda.IFunction): Record<string, unknown> {
  return { ArnEquals: { 'lambda:SourceFunctionArn': fn.functionArn } };
}

/** The accounts that principal ARN patterns name, each once. */
function accountsOf(patterns: readonly string[]): string[] {
  return [...new Set(patterns.map((pattern) => pattern.split(':')[4] ?? ''))].sort();
}

/**
 * The accounts whose principals appear in some target's allowed callers or delegators, who may call the
 * login function's URL. Not the operators': they call only the doctor's URL.
 */
export function callerAccounts(config: BrokerConfig): string[] {
  const delegators = [...config.allowedDelegators, ...config.targets.flatMap((t) => t.allowedDelegators)].map((d) => d.principal);
  return accountsOf([...config.targets.flatMap((t) => t.allowedCallers), ...delegators]);
}

/** The accounts of the operators, who may call the doctor's function URL. */
export function operatorAccounts(config: BrokerConfig): string[] {
  return accountsOf(config.operators);
}

/** What the login Lambda needs to know of the targets: everything but the external IDs. */
export function registryFor(config: BrokerConfig): Registry {
  return {
    partition: config.partition,
    targets: config.targets.map((t) => ({
      name: t.name,
      accountId: t.accountId,
      roleArn: targetRoleArn(config.partition, t.accountId, t.roleName),
      externalIdSecretId: externalIdSecretName(t.name),
      defaultRegion: t.defaultRegion,
      allowedCallers: t.allowedCallers,
      allowedEmails: t.allowedEmails,
      allowedGroups: t.allowedGroups,
      description: t.description,
      group: t.group,
      environment: t.environment,
      production: t.production,
      // Left out when unused, so a registry of hundreds of targets does not grow the bundle by default values.
      ...(t.allowedDelegators.length > 0 ? { allowedDelegators: t.allowedDelegators } : {}),
      ...(t.requireReason ? { requireReason: true } : {}),
    })),
    operators: config.operators,
    ...(config.allowedDelegators.length > 0 ? { delegators: config.allowedDelegators } : {}),
  };
}
