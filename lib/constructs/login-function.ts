import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Registry } from '../../lambda/core/registry';

export interface LoginFunctionProps {
  /** The handler's source file. @default lambda/iam/handler.ts, the IAM entry */
  readonly entry?: string;
  /** @default - none */
  readonly environment?: Record<string, string>;
  /** The targets, baked into the bundle. */
  readonly registry: Registry;
  /** The execution role, made by the caller so its name and permissions are exact. */
  readonly role: iam.IRole;
  /** Days the log group keeps events: a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** @default - no concurrency is reserved */
  readonly reservedConcurrency?: number;
  /** @default 15 seconds: three outbound calls of at most 3 s each, plus one re-read and retry of the assume */
  readonly timeout?: Duration;
}

/**
 * The login Lambda with the project's defaults: newest Node.js runtime, arm64, an ESM bundle with the
 * AWS SDK inside (pinned by our lockfile, not the runtime's), minified with a source map beside it,
 * its own log group, an explicit timeout. ESM is kept because it imports in half the time of CDK's
 * default CommonJS bundle (BENCHMARKS.md).
 */
export class LoginFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: LoginFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: retentionDays(props.logRetentionDays),
      // The access log is the audit trail: an update or deleting the stack must not delete it. A create
      // that rolls back deletes it, as it holds nothing yet and a retry makes it again (DeletionPolicy
      // RetainExceptOnCreate: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    super(scope, id, {
      entry: props.entry ?? path.join(__dirname, '..', '..', 'lambda', 'iam', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(15),
      role: props.role,
      logGroup,
      ...(props.environment ? { environment: props.environment } : {}),
      reservedConcurrentExecutions: props.reservedConcurrency,
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // The SDK's CommonJS pieces call require(); an ESM bundle has none unless we make one.
        banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        // The Lambda runs a newer Node.js, but the bundle stays loadable by Node.js 20 for local tests.
        target: 'node20',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        // Lambda limits all environment variables to 4 KB together, too small for a registry of many
        // targets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html); a define
        // would put the registry on esbuild's command line, which the OS refuses past ~490 targets.
        inject: [registryModule(props.registry)],
        // Lambda's credentials are always in the environment; see lambda/core/lambda-credentials.ts.
        esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': './lambda/core/lambda-credentials.ts' },
      },
      // The source map ships in the asset to decode a stack trace offline, but --enable-source-maps is
      // left off: it adds about 10 ms to every cold start (BENCHMARKS.md), and the broker logs error
      // names, not stacks.
    });
  }
}

/**
 * A module that esbuild injects in place of every `process.env.CONSOLE_BROKER_REGISTRY`, written once
 * per registry: named by its content, so parallel synths of different registries never share one.
 */
function registryModule(registry: Registry): string {
  const text = `const registry = ${JSON.stringify(JSON.stringify(registry))};\nexport { registry as 'process.env.CONSOLE_BROKER_REGISTRY' };\n`;
  const directory = path.join(tmpdir(), 'console-broker-registry');
  const file = path.join(directory, `${createHash('sha256').update(text).digest('hex')}.mjs`);
  mkdirSync(directory, { recursive: true });
  // Written aside and renamed, so a bundling running in parallel never reads half a file.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, text);
  renameSync(partial, file);
  return file;
}

function retentionDays(days: number): logs.RetentionDays {
  const retention = Object.values(logs.RetentionDays).find((value): value is logs.RetentionDays => Number(value) === days);
  if (retention === undefined) throw new Error(`LoginFunction: logRetentionDays ${days} is not a retention CloudWatch Logs accepts`);
  return retention;
}
