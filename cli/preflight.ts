import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, SecretsManagerClient, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { BROKER_STACK, BrokerError, credentialsOf } from './client';

/** What `cdk deploy` would make of one thing preflight looked at. */
export type Verdict = 'ok' | 'would fail' | 'could not check';

export interface PreflightCheck {
  readonly verdict: Verdict;
  /** What was checked, such as `CDK bootstrap in 222222222222/eu-west-1`. */
  readonly check: string;
  /** Why, in a sentence; for `would fail` and `could not check`, also what to do. */
  readonly detail: string;
}

export interface PreflightOptions {
  /** The cloud assembly `cdk synth` wrote. @default cdk.out in the working directory */
  readonly cdkOut?: string;
  /** A shared config profile. @default - the standard credential chain */
  readonly profile?: string;
  /** Credentials to call AWS with. @default - from `profile` or the standard chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** Lambda keeps this much of an account's concurrency unreserved (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). */
const MIN_UNRESERVED_CONCURRENCY = 100;
const RESERVATIONS_PAGE = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

interface StackTemplate {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
}

/** A stack of the cloud assembly, with what its deploy needs (https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_cloud-assembly-schema.AwsCloudFormationStackProperties.html). */
interface AssemblyStack {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly template: StackTemplate;
  readonly bootstrapVersion: number | undefined;
  readonly bootstrapParameter: string | undefined;
  /** The bootstrap's read-only role in the stack's account, with `${AWS::Partition}` in it. */
  readonly lookupRoleArn: string | undefined;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly requiresBootstrapStackVersion?: number;
    readonly bootstrapStackVersionSsmParameter?: string;
    readonly lookupRole?: { readonly arn?: string };
  };
}

function readAssembly(dir: string): AssemblyStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new BrokerError('usage', `No cloud assembly at ${dir}: run \`npx cdk synth\` first, or give --cdk-out DIR.`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => {
      const [, account = '', region = ''] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
      const properties = artifact.properties ?? {};
      return {
        name: properties.stackName ?? id,
        account,
        region,
        template: JSON.parse(readFileSync(path.join(dir, properties.templateFile ?? `${id}.template.json`), 'utf8')) as StackTemplate,
        bootstrapVersion: properties.requiresBootstrapStackVersion,
        bootstrapParameter: properties.bootstrapStackVersionSsmParameter,
        lookupRoleArn: properties.lookupRole?.arn,
      };
    });
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : String(error));

/** One attempt more than none, and no call left hanging: preflight is read-only and quick. */
function clientConfig(region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): { region: string; credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider; maxAttempts: number; requestHandler: { connectionTimeout: number; requestTimeout: number } } {
  return { region, credentials, maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 } };
}

interface Caller {
  readonly account: string;
  readonly partition: string;
  readonly credentials: AwsCredentialIdentityProvider;
}

async function whoIsCalling(region: string, options: PreflightOptions): Promise<Caller> {
  const credentials = credentialsOf(options);
  const sts = new STSClient(clientConfig(region, credentials));
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account ?? '', partition: identity.Arn?.split(':')[1] ?? 'aws', credentials };
  } catch (error) {
    throw new BrokerError('no-credentials', `Could not tell who you are (STS GetCallerIdentity: ${errorName(error)}): give --profile, set AWS_PROFILE, or sign in with the standard credential chain.`);
  } finally {
    sts.destroy();
  }
}

const profileHint = (account: string): string => `run again with credentials for ${account} (--profile <a profile for ${account}>, or AWS_PROFILE)`;

/** The functions of the broker template that reserve concurrency, by construct name (the logical ID without CDK's hash). */
function reservations(template: StackTemplate): { readonly name: string; readonly reserved: number }[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.ReservedConcurrentExecutions === 'number')
    .map(([id, r]) => ({ name: id.replace(/[0-9A-F]{8}$/, ''), reserved: Number(r.Properties?.ReservedConcurrentExecutions) }));
}

/** The broker stack's ARN when it is deployed, undefined when not, or the error that kept us from knowing. */
type DeployedStack = { readonly id: string | undefined } | { readonly error: string };

async function deployedStack(stack: AssemblyStack, caller: Caller): Promise<DeployedStack> {
  const cloudFormation = new CloudFormationClient(clientConfig(stack.region, caller.credentials));
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack.name }));
    return { id: answer.Stacks?.[0]?.StackId };
  } catch (error) {
    // DescribeStacks answers ValidationError "Stack with id <name> does not exist" for a stack never created.
    if (errorName(error) === 'ValidationError' && error instanceof Error && error.message.includes('does not exist')) return { id: undefined };
    return { error: errorName(error) };
  } finally {
    cloudFormation.destroy();
  }
}

async function concurrencyCheck(broker: AssemblyStack, caller: Caller, deployed: DeployedStack): Promise<PreflightCheck> {
  const check = `Lambda concurrency in ${broker.account}/${broker.region}`;
  const reserved = reservations(broker.template);
  const total = reserved.reduce((sum, r) => sum + r.reserved, 0);
  if (total === 0) return { verdict: 'ok', check, detail: 'the broker stack reserves no concurrency, so no Lambda quota can refuse it.' };
  const list = reserved.map((r) => `${r.name} ${r.reserved}`).join(', ');
  const lambda = new LambdaClient(clientConfig(broker.region, caller.credentials));
  let limit: number;
  let unreserved: number;
  try {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
  } catch (error) {
    return { verdict: 'could not check', check, detail: `Lambda GetAccountSettings failed (${errorName(error)}): run again with credentials that may call lambda:GetAccountSettings in ${broker.account}.` };
  } finally {
    lambda.destroy();
  }
  // A deployed stack's own reservations are already out of the unreserved pool: only the quota bounds them.
  const isDeployed = 'id' in deployed && deployed.id !== undefined;
  const left = isDeployed ? limit - total : unreserved - total;
  const needed = isDeployed ? total + MIN_UNRESERVED_CONCURRENCY : limit - unreserved + total + MIN_UNRESERVED_CONCURRENCY;
  if (left >= MIN_UNRESERVED_CONCURRENCY) {
    return { verdict: 'ok', check, detail: `the broker stack reserves ${total} (${list}), leaving ${left} of the account's ${limit} unreserved; Lambda keeps ${MIN_UNRESERVED_CONCURRENCY}.` };
  }
  return {
    verdict: 'would fail',
    check,
    detail:
      `the broker stack reserves ${total} concurrent executions (${list}), which would leave ${left} of the account's ${limit} unreserved, and Lambda keeps at least ${MIN_UNRESERVED_CONCURRENCY} unreserved (${RESERVATIONS_PAGE}): ` +
      `ask Service Quotas for Lambda "Concurrent executions" of at least ${needed} in ${broker.region}, or leave reservedConcurrency and doctorReservedConcurrency out of the configuration.`,
  };
}

/** Every (account, region) the app deploys to, with the newest bootstrap version any of its stacks needs. */
function environments(stacks: readonly AssemblyStack[]): AssemblyStack[] {
  const byEnvironment = new Map<string, AssemblyStack>();
  for (const stack of stacks) {
    const key = `${stack.account}/${stack.region}`;
    const before = byEnvironment.get(key);
    if (!before || (stack.bootstrapVersion ?? 0) > (before.bootstrapVersion ?? 0)) byEnvironment.set(key, stack);
  }
  return [...byEnvironment.values()];
}

/** Credentials in `stack`'s account: the caller's own, or the bootstrap's lookup role there, as the CDK CLI uses it. */
async function credentialsIn(stack: AssemblyStack, caller: Caller, brokerAccount: string): Promise<AwsCredentialIdentityProvider | string> {
  if (stack.account === caller.account) return caller.credentials;
  if (stack.lookupRoleArn === undefined) return `these credentials are for ${caller.account}: ${profileHint(stack.account)}.`;
  const roleArn = stack.lookupRoleArn.replace('${AWS::Partition}', caller.partition);
  const sts = new STSClient(clientConfig(stack.region, caller.credentials));
  try {
    const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'console-broker-preflight' }));
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) return `STS gave no credentials for ${roleArn}: ${profileHint(stack.account)}.`;
    const credentials: AwsCredentialIdentity = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) };
    return () => Promise.resolve(credentials);
  } catch (error) {
    // STS answers the same AccessDenied for a role that does not exist and one that does not trust the caller.
    return (
      `these credentials are for ${caller.account} and could not assume the bootstrap's lookup role ${roleArn} (${errorName(error)}): ` +
      `either ${stack.account} is not bootstrapped in ${stack.region} with --trust ${brokerAccount}, or your role may not assume it; ${profileHint(stack.account)}.`
    );
  } finally {
    sts.destroy();
  }
}

async function bootstrapCheck(stack: AssemblyStack, caller: Caller, brokerAccount: string): Promise<PreflightCheck> {
  const check = `CDK bootstrap in ${stack.account}/${stack.region}`;
  const required = stack.bootstrapVersion;
  if (required === undefined || stack.bootstrapParameter === undefined) return { verdict: 'ok', check, detail: 'the synthesized stacks require no bootstrap version.' };
  const credentials = await credentialsIn(stack, caller, brokerAccount);
  if (typeof credentials === 'string') return { verdict: 'could not check', check, detail: credentials };
  const bootstrap = `npx cdk bootstrap aws://${stack.account}/${stack.region}${stack.account === brokerAccount ? '' : ` --trust ${brokerAccount} (README, Deploy)`}`;
  const ssm = new SSMClient(clientConfig(stack.region, credentials));
  try {
    const answer = await ssm.send(new GetParameterCommand({ Name: stack.bootstrapParameter }));
    const version = Number(answer.Parameter?.Value);
    if (Number.isInteger(version) && version >= required) return { verdict: 'ok', check, detail: `bootstrap version ${version}; the templates need ${required} or later.` };
    return { verdict: 'would fail', check, detail: `bootstrap version ${answer.Parameter?.Value ?? 'unknown'} is older than the ${required} the templates need: run ${bootstrap} again with this project's CDK.` };
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') {
      return { verdict: 'would fail', check, detail: `not bootstrapped (no SSM parameter ${stack.bootstrapParameter}), and the templates need bootstrap version ${required}: run ${bootstrap}.` };
    }
    return { verdict: 'could not check', check, detail: `SSM GetParameter ${stack.bootstrapParameter} failed (${errorName(error)}): ${profileHint(stack.account)}.` };
  } finally {
    ssm.destroy();
  }
}

/** The names the broker template gives its secrets: each external ID's and each entry's. */
function secretNames(template: StackTemplate): string[] {
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::SecretsManager::Secret' && typeof r.Properties?.Name === 'string')
    .map((r) => String(r.Properties?.Name));
}

const tagOf = (secret: DescribeSecretCommandOutput, key: string): string | undefined => secret.Tags?.find((t) => t.Key === key)?.Value;

/**
 * A secret that exists under a name the stack creates: CloudFormation's create fails on it unless it is
 * the deployed stack's own, which CloudFormation tags with aws:cloudformation:stack-id
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html).
 */
function judgeSecret(name: string, secret: DescribeSecretCommandOutput, stack: string, deployed: DeployedStack, region: string): PreflightCheck | 'ours' {
  const check = `secret ${name}`;
  const forget = `aws secretsmanager delete-secret --secret-id ${name} --force-delete-without-recovery --region ${region}`;
  // DeletedDate: scheduled for deletion, and the name stays taken until then
  // (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html).
  if (secret.DeletedDate) {
    return {
      verdict: 'would fail',
      check,
      detail: `is scheduled for deletion on ${secret.DeletedDate.toISOString()} and keeps its name until then, so CloudFormation cannot create it: delete it for good with ${forget}, or restore it (restore-secret) if a deployed stack still uses it.`,
    };
  }
  const stackId = tagOf(secret, 'aws:cloudformation:stack-id');
  const stackName = tagOf(secret, 'aws:cloudformation:stack-name');
  if ('id' in deployed && deployed.id !== undefined && stackId === deployed.id) return 'ours';
  if ('error' in deployed && stackName === stack) {
    return { verdict: 'could not check', check, detail: `exists with the ${stack} stack's tag, but the stack could not be read (${deployed.error}) to tell whether it is the deployed one's: run again with credentials that may call cloudformation:DescribeStacks.` };
  }
  const whose = stackName === stack ? `was left by an earlier ${stack} stack that was deleted or rolled back` : `was made outside the ${stack} stack`;
  return { verdict: 'would fail', check, detail: `already exists and ${whose}, so CloudFormation cannot create it ("already exists"): once nothing uses it, delete it with ${forget}.` };
}

/** The names each stack of the broker account gives its secrets, checked against the deployed stack of that name. */
async function secretChecks(stacks: readonly AssemblyStack[], caller: Caller): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  let free = 0;
  let ours = 0;
  for (const stack of stacks) {
    const names = secretNames(stack.template);
    if (names.length === 0) continue;
    const deployed = await deployedStack(stack, caller);
    const secrets = new SecretsManagerClient(clientConfig(stack.region, caller.credentials));
    try {
      for (const name of names) {
        try {
          const judged = judgeSecret(name, await secrets.send(new DescribeSecretCommand({ SecretId: name })), stack.name, deployed, stack.region);
          if (judged === 'ours') ours++;
          else checks.push(judged);
        } catch (error) {
          if (errorName(error) === 'ResourceNotFoundException') free++;
          else checks.push({ verdict: 'could not check', check: `secret ${name}`, detail: `Secrets Manager DescribeSecret failed (${errorName(error)}): run again with credentials that may call secretsmanager:DescribeSecret in ${stack.account}.` });
        }
      }
    } finally {
      secrets.destroy();
    }
  }
  if (free + ours > 0) checks.unshift({ verdict: 'ok', check: 'secret names', detail: `${free} free, ${ours} already the deployed stacks' own.` });
  return checks;
}

/**
 * What would make `cdk deploy` of the synthesized app fail, found with read-only calls and the caller's
 * own credentials: the broker account's Lambda concurrency against the reservations, the CDK bootstrap
 * version in every account and region, and secret names already taken.
 */
export async function preflight(options: PreflightOptions = {}): Promise<PreflightCheck[]> {
  const cdkOut = options.cdkOut ?? 'cdk.out';
  const stacks = readAssembly(cdkOut);
  const broker = stacks.find((s) => s.name === BROKER_STACK);
  if (!broker) throw new BrokerError('usage', `The cloud assembly at ${cdkOut} has no ${BROKER_STACK} stack: run \`npx cdk synth\` in the console-broker project first.`);
  const caller = await whoIsCalling(broker.region, options);
  const checks: PreflightCheck[] = [];
  if (caller.account === broker.account) {
    const inBrokerAccount = stacks.filter((s) => s.account === broker.account && s.region === broker.region);
    checks.push(await concurrencyCheck(broker, caller, await deployedStack(broker, caller)), ...(await secretChecks(inBrokerAccount, caller)));
  } else {
    const detail = `these credentials are for ${caller.account}, not the broker account: ${profileHint(broker.account)}.`;
    checks.push({ verdict: 'could not check', check: `Lambda concurrency in ${broker.account}/${broker.region}`, detail }, { verdict: 'could not check', check: 'secret names', detail });
  }
  for (const stack of environments(stacks)) checks.push(await bootstrapCheck(stack, caller, broker.account));
  return checks;
}
