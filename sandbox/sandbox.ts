import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DOCTOR_TIMEOUT_SECONDS } from '../lambda/doctor/timing';
import { registryFor } from '../lib/broker-stack';
import { loadConfig } from '../lib/config';
import { brokerRoleArn } from '../lib/names';
import { isCallerAllowed } from '../lambda/core/registry';
import { BROKER_PRINCIPAL_ARN, FakeAws } from '../test/fakes/aws';
import { deployCdkOut } from '../test/support/deploy';
import { LocalFunctionUrl, type FunctionHandler, type KnownCaller } from '../test/fakes/function-url';
import { bundledHandlerPath } from '../test/support/bundle';
import { CDK_OUT } from '../test/support/paths';
import { startBrowserEntry } from './browser-entry';
import { startSlackEntry } from './slack-entry';
import type { SandboxEntry } from './entry';

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

/** A target whose owner deleted its role after deploying it: the doctor reports it broken. */
export const SANDBOX_BROKEN_TARGET = 'customer-globex';

/** The browser entry listens this far above the IAM entry's port. */
const BROWSER_PORT_OFFSET = 2;
/** The Slack entry listens this far above the IAM entry's port. */
const SLACK_PORT_OFFSET = 3;

export interface SandboxOptions {
  /** Port of the local function URL; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default config/console-broker.json, the configuration cdk.out was synthesized from */
  readonly configPath?: string;
  /** Start the browser entry too, which synthesizes the broker stack again with a local OpenID provider. @default true */
  readonly browserEntry?: boolean;
  /** Start the Slack entry too, which synthesizes the broker stack again with a slack section. @default true */
  readonly slackEntry?: boolean;
}

export interface Sandbox {
  /** The local function URL, in front of the bundled Lambda from cdk.out. */
  readonly url: string;
  /** The doctor's local function URL, in front of its own bundled Lambda. */
  readonly doctorUrl: string;
  readonly aws: FakeAws;
  /** The endpoint variables (AWS_ENDPOINT_URL_<SERVICE>=...) that point the SDK at the fakes, for preflight. */
  readonly preflightEndpoints: string;
  /** A target the allowed caller may open. */
  readonly exampleTarget: string;
  /** The entries beyond the IAM entry (sandbox/entry.ts), each with how to try it. */
  readonly entries: readonly SandboxEntry[];
  stop(): Promise<void>;
}

/** The version `cdk bootstrap` writes today; the templates need 6 or later (cdk.out's manifest). */
const SANDBOX_BOOTSTRAP_VERSION = '30';
const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';

/**
 * Each account bootstrapped as README's Deploy says: the version parameter, and in target accounts the
 * lookup role that `--trust <broker account>` lets the broker account assume (the CDK's bootstrap template).
 */
function bootstrapAccounts(aws: FakeAws, brokerAccount: string, region: string, accounts: readonly string[]): void {
  for (const account of accounts) {
    aws.ssmParameters.set(`${account}/${region}/${BOOTSTRAP_VERSION_PARAMETER}`, SANDBOX_BOOTSTRAP_VERSION);
    if (account === brokerAccount) continue;
    aws.roles.set(`arn:aws:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${region}`, {
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${brokerAccount}:root` }, Action: 'sts:AssumeRole' }] },
    });
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const configPath = options.configPath ?? path.join(ROOT, 'config', 'console-broker.json');
  const config = loadConfig(configPath);
  if (brokerRoleArn(config.partition, config.accountId, config.region) !== BROKER_PRINCIPAL_ARN) {
    throw new Error(`the sandbox plays the broker as ${BROKER_PRINCIPAL_ARN}; the configuration names another broker account or region`);
  }
  const aws = await new FakeAws().start();
  deployCdkOut(aws, CDK_OUT, config);
  const registry = registryFor(config);
  const broken = registry.targets.find((t) => t.name === SANDBOX_BROKEN_TARGET);
  if (broken) aws.roles.delete(broken.roleArn);

  // The Lambda's environment, then its bundled code, as the runtime would load it.
  for (const [key, value] of Object.entries(aws.env())) process.env[key] = value;
  const callers = new Map(Object.values(SANDBOX_CALLERS).map((caller) => [caller.credentials.accessKeyId, caller]));
  const { handler } = (await import(pathToFileURL(bundledHandlerPath()).href)) as { handler: FunctionHandler };
  const functionUrl = new LocalFunctionUrl(handler, callers);
  const url = await functionUrl.start(options.port ?? 0);
  const doctor = (await import(pathToFileURL(bundledHandlerPath({ functionId: 'DoctorFunction' })).href)) as { handler: FunctionHandler };
  const doctorFunctionUrl = new LocalFunctionUrl(doctor.handler, callers, 'AWS_IAM', DOCTOR_TIMEOUT_SECONDS * 1000);
  const doctorUrl = await doctorFunctionUrl.start(options.port ? options.port + 1 : 0);
  // The deployed stack's outputs, which the CLI reads with the caller's credentials when given no URL.
  aws.stackOutputs.set('ConsoleBroker', { LoginUrl: url, DoctorUrl: doctorUrl });
  for (const caller of Object.values(SANDBOX_CALLERS)) {
    aws.principals.set(caller.credentials.accessKeyId, caller.credentials);
    // The role behind each session, as STS GetCallerIdentity and preflight's account checks see it.
    aws.principalArns.set(caller.credentials.accessKeyId, caller.arn.replace(/^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/, 'arn:aws:iam::$1:role/$2'));
  }
  bootstrapAccounts(aws, config.accountId, config.region, [config.accountId, ...new Set(config.targets.filter((t) => t.deployedBy === 'broker').map((t) => t.accountId))]);
  const example = registry.targets.find((t) => isCallerAllowed(t, SANDBOX_CALLERS.allowed.arn));
  const entries: SandboxEntry[] = [];
  // The person who signs in to the browser entry, and the Slack member, are the same alice as the IAM caller, with the same targets.
  const aliceTargets = registry.targets.filter((t) => isCallerAllowed(t, SANDBOX_CALLERS.allowed.arn)).map((t) => t.name);
  if (options.browserEntry ?? true) {
    entries.push(await startBrowserEntry({ aws, configPath, targets: aliceTargets, port: options.port ? options.port + BROWSER_PORT_OFFSET : 0 }));
  }
  if (options.slackEntry ?? true) {
    entries.push(await startSlackEntry({ aws, configPath, targets: aliceTargets, port: options.port ? options.port + SLACK_PORT_OFFSET : 0 }));
  }
  return {
    url,
    doctorUrl,
    aws,
    preflightEndpoints: Object.entries(aws.env()).filter(([key]) => key.startsWith('AWS_ENDPOINT_URL_')).map(([key, value]) => `${key}=${value}`).join(' '),
    exampleTarget: example?.name ?? registry.targets[0]?.name ?? '',
    entries,
    stop: async () => {
      for (const entry of entries) await entry.stop();
      await functionUrl.stop();
      await doctorFunctionUrl.stop();
      await aws.stop();
    },
  };
}
