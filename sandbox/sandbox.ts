import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registryFor } from '../lib/broker-stack';
import { loadConfig } from '../lib/config';
import { brokerRoleArn } from '../lib/names';
import { isCallerAllowed } from '../lambda/login/registry';
import { BROKER_PRINCIPAL_ARN, FakeAws } from '../test/fakes/aws';
import { LocalFunctionUrl, type FunctionHandler, type KnownCaller } from '../test/fakes/function-url';
import { bundledHandlerPath } from '../test/support/bundle';
import { CDK_OUT } from '../test/support/paths';

const ROOT = path.join(__dirname, '..');

/** The sandbox's own fixed identities. They open nothing outside this machine. */
export const SANDBOX_CALLERS = {
  allowed: {
    arn: 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com',
    credentials: { accessKeyId: 'AKIASANDBOXALICE0000', secretAccessKey: 'sandbox-alice-secret-key' },
  },
  outsider: {
    arn: 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Guest_0123456789abcdef/mallory@example.com',
    credentials: { accessKeyId: 'AKIASANDBOXMALLORY00', secretAccessKey: 'sandbox-mallory-secret-key' },
  },
} satisfies Record<string, KnownCaller>;

export interface SandboxOptions {
  /** Port of the local function URL; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default config/console-broker.json, the configuration cdk.out was synthesized from */
  readonly configPath?: string;
}

export interface Sandbox {
  /** The local function URL, in front of the bundled Lambda from cdk.out. */
  readonly url: string;
  readonly aws: FakeAws;
  /** A target the allowed caller may open. */
  readonly exampleTarget: string;
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;
interface TemplateRole {
  readonly Type: string;
  readonly Properties: { readonly RoleName: string; readonly AssumeRolePolicyDocument: { readonly Statement: readonly Json[] } };
}

/**
 * "Deploys" what `cdk synth` wrote: Secrets Manager generates each external ID, and CloudFormation
 * resolves each target role's {{resolve:secretsmanager:...}} trust condition to the value of the
 * secret its Fn::GetStackOutput names. Returns the trust of every role, by role ARN.
 */
function deployTemplates(cdkOut: string, aws: FakeAws): Map<string, { secretName: string; trustedPrincipalArn: string }> {
  const broker = JSON.parse(readFileSync(path.join(cdkOut, 'ConsoleBroker.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Name?: string } }>;
    Outputs: Record<string, { Value: { Ref?: string } }>;
  };
  for (const resource of Object.values(broker.Resources)) {
    const name = resource.Type === 'AWS::SecretsManager::Secret' ? resource.Properties?.Name : undefined;
    // What GenerateSecretString with 48 characters and no punctuation produces.
    if (name) aws.secrets.set(name, randomBytes(36).toString('base64url').replace(/[-_]/g, 'x').slice(0, 48));
  }

  const trust = new Map<string, { secretName: string; trustedPrincipalArn: string }>();
  for (const file of readdirSync(cdkOut).filter((f) => /^ConsoleBrokerTarget-\d{12}\.template\.json$/.test(f))) {
    const account = /(\d{12})/.exec(file)?.[1] ?? '';
    const template = JSON.parse(readFileSync(path.join(cdkOut, file), 'utf8')) as { Resources: Record<string, TemplateRole> };
    for (const role of Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role')) {
      const assume = role.Properties.AssumeRolePolicyDocument.Statement.find((s) => s.Action === 'sts:AssumeRole') as
        | { Condition: { ArnEquals: { 'aws:PrincipalArn': string }; StringEquals: { 'sts:ExternalId': { 'Fn::Join': [string, [string, { 'Fn::GetStackOutput': { OutputName: string } }, string]] } } } }
        | undefined;
      if (!assume) continue;
      const outputName = assume.Condition.StringEquals['sts:ExternalId']['Fn::Join'][1][1]['Fn::GetStackOutput'].OutputName;
      const secretId = broker.Outputs[outputName]?.Value.Ref ?? '';
      const secretName = broker.Resources[secretId]?.Properties?.Name ?? '';
      trust.set(`arn:aws:iam::${account}:role/${role.Properties.RoleName}`, { secretName, trustedPrincipalArn: assume.Condition.ArnEquals['aws:PrincipalArn'] });
    }
  }
  return trust;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const cdkOut = CDK_OUT;
  const config = loadConfig(options.configPath ?? path.join(ROOT, 'config', 'console-broker.json'));
  if (brokerRoleArn(config.partition, config.accountId, config.region) !== BROKER_PRINCIPAL_ARN) {
    throw new Error(`the sandbox plays the broker as ${BROKER_PRINCIPAL_ARN}; the configuration names another broker account or region`);
  }
  const aws = await new FakeAws().start();
  const trust = deployTemplates(cdkOut, aws);
  const registry = registryFor(config);
  for (const target of registry.targets) {
    const deployed = trust.get(target.roleArn);
    const secretName = deployed?.secretName ?? target.externalIdSecretId;
    const externalId = aws.secrets.get(secretName) ?? '';
    // A target its owner deploys: the sandbox plays the owner, who was handed the external ID.
    aws.roles.set(target.roleArn, { externalId, trustedPrincipalArn: deployed?.trustedPrincipalArn ?? BROKER_PRINCIPAL_ARN });
  }

  // The Lambda's environment, then its bundled code, as the runtime would load it.
  for (const [key, value] of Object.entries(aws.env())) process.env[key] = value;
  const { handler } = (await import(pathToFileURL(bundledHandlerPath()).href)) as { handler: FunctionHandler };
  const functionUrl = new LocalFunctionUrl(
    handler,
    new Map(Object.values(SANDBOX_CALLERS).map((caller) => [caller.credentials.accessKeyId, caller])),
  );
  const url = await functionUrl.start(options.port ?? 0);
  // The deployed stack's output, which the CLI reads with the caller's credentials when given no URL.
  aws.stackOutputs.set('ConsoleBroker', { LoginUrl: url });
  for (const caller of Object.values(SANDBOX_CALLERS)) aws.principals.set(caller.credentials.accessKeyId, caller.credentials);
  const example = registry.targets.find((t) => isCallerAllowed(t, SANDBOX_CALLERS.allowed.arn));
  return {
    url,
    aws,
    exampleTarget: example?.name ?? registry.targets[0]?.name ?? '',
    stop: async () => {
      await functionUrl.stop();
      await aws.stop();
    },
  };
}
