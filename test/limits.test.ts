import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App, CfnOutput, CfnParameter, CfnWaitConditionHandle, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../lib/app';
import { DeployLimits } from '../lib/limits';
import { testConfig } from './support/config';

const ADMINS = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*';

/** Targets named t0, t1, ... (padded to 64 characters when `longNames`) spread over `accounts` accounts, each deployed by `deployedBy`. */
function targets(count: number, options: { accounts?: number; deployedBy?: 'broker' | 'owner'; managedPolicies?: string[]; longNames?: boolean } = {}): Record<string, unknown>[] {
  const pad = (name: string): string => (options.longNames ? `${name}-`.padEnd(64, 'x') : name);
  return Array.from({ length: count }, (_, i) => ({
    name: pad(`t${i}`),
    accountId: String(200000000000 + (i % (options.accounts ?? 1))),
    roleName: pad(`ConsoleBrokerRole${i}`),
    allowedCallers: [ADMINS],
    deployedBy: options.deployedBy ?? 'broker',
    ...(options.managedPolicies ? { managedPolicies: options.managedPolicies } : {}),
  }));
}

/** Synthesizes the app as `cdk synth` does; answers the validation report, or '' when every limit holds. */
function synthReport(overrides: Record<string, unknown>): string {
  const app = new App();
  addConsoleBroker(app, testConfig(overrides));
  try {
    app.synth();
    return '';
  } catch (error) {
    return String(error);
  }
}

function synthPlainStack(build: (stack: Stack) => void): string {
  // As addConsoleBroker does: aws-cdk-lib's own resource count check off, DeployLimits' on.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  build(new Stack(app, 'Plain'));
  Validations.of(app).addPlugins(new DeployLimits());
  try {
    app.synth();
    return '';
  } catch (error) {
    return String(error);
  }
}

// Each case synthesizes and bundles a whole app; several at once on a busy machine take a while.
describe('limits AWS enforces only at deploy time fail cdk synth, naming the limit, the value and what to change', { timeout: 120_000 }, () => {
  it('lets the usual registry through', () => {
    expect(synthReport({})).toBe('');
  });

  it('refuses a target account stack with more than 60 dynamic references, counted in the template whatever holds them', () => {
    const report = synthReport({ targets: targets(61) });

    expect(report).toMatch(/The template of stack ConsoleBrokerTarget-200000000000 has \d+ dynamic references; CloudFormation accepts at most 60 per template/);
    expect(report).toMatch(/"deployedBy": "owner"/);
  });

  it('refuses a template with more than 200 outputs', () => {
    const report = synthPlainStack((stack) => {
      for (let i = 0; i < 201; i++) new CfnOutput(stack, `O${i}`, { value: 'x' });
    });

    expect(report).toMatch(/The template of stack Plain has 201 outputs; CloudFormation accepts at most 200 per template/);
  });

  it('refuses a template with more than 500 resources', () => {
    const report = synthPlainStack((stack) => {
      for (let i = 0; i < 501; i++) new CfnWaitConditionHandle(stack, `R${i}`);
    });

    expect(report).toMatch(/The template of stack Plain has 50\d resources; CloudFormation accepts at most 500 per template/);
  });

  it('refuses a template with more than 200 parameters', () => {
    const report = synthPlainStack((stack) => {
      for (let i = 0; i < 201; i++) new CfnParameter(stack, `P${i}`);
    });

    expect(report).toMatch(/The template of stack Plain has 20\d parameters; CloudFormation accepts at most 200 per template/);
  });

  it('keeps the login role within the managed policies IAM attaches by default, the secrets named by one prefix and the roles by exact ARN', () => {
    // 230 targets of the longest names filled 11 policies when each secret was named too; the roles alone
    // fill about 60 of the longest per policy.
    const report = synthReport({ targets: targets(230, { deployedBy: 'owner', longNames: true }) });

    expect(report).toBe('');
  });

  it('refuses a target role with more managed policies than IAM attaches by default', () => {
    const policies = Array.from({ length: 11 }, (_, i) => `Policy${i}`);
    const report = synthReport({ targets: targets(1, { managedPolicies: policies }) });

    expect(report).toMatch(/Role ConsoleBrokerRole0 has 11 managed policies attached; IAM accepts 10 by default/);
  });

  it("refuses a function whose environment outgrows Lambda's 4 KB", () => {
    const scopes = ['openid', ...Array.from({ length: 400 }, (_, i) => `scope-${i}`)];
    const report = synthReport({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker', scopes } });

    expect(report).toMatch(/The environment variables of function WebFunction\w+ are up to \d+ bytes together; Lambda accepts at most 4096/);
  });

  it('refuses a role trust policy longer than IAM accepts by default', () => {
    const report = synthPlainStack((stack) => {
      const accounts = Array.from({ length: 60 }, (_, i) => new iam.AccountPrincipal(String(300000000000 + i)));
      new iam.Role(stack, 'Role', { roleName: 'Trusting', assumedBy: new iam.CompositePrincipal(...accounts) });
    });

    expect(report).toMatch(/The trust policy of role Trusting is up to \d+ characters; IAM accepts 2048 by default/);
  });

  it("refuses a role whose inline policies together outgrow IAM's 10,240 characters", () => {
    const report = synthPlainStack((stack) => {
      const role = new iam.Role(stack, 'Role', { roleName: 'Inline', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // An explicit policy: CDK moves what outgrows a role's default policy into managed policies of its own.
      const statements = Array.from({ length: 300 }, (_, i) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::console-broker-example-bucket-${i}/*`] }));
      role.attachInlinePolicy(new iam.Policy(stack, 'Big', { statements }));
    });

    expect(report).toMatch(/The inline policies of role Inline are up to \d+ characters together; IAM accepts at most 10240/);
  });

  it('refuses a managed policy longer than IAM accepts', () => {
    const report = synthPlainStack((stack) => {
      const statements = Array.from({ length: 100 }, (_, i) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-${i}/*`] }));
      new iam.ManagedPolicy(stack, 'Policy', { managedPolicyName: 'Long', statements });
    });

    expect(report).toMatch(/Managed policy Long is up to \d+ characters; IAM accepts at most 6144/);
  });

  it('fails `cdk synth` itself with a short report that names the limit, not a dump of CDK\'s source', { timeout: 240_000 }, async () => {
    // Prepare: owner-deployed targets past what the stacks of their secrets hold, 500 resources each.
    const dir = mkdtempSync(path.join(tmpdir(), 'console-broker-limits-'));
    const configPath = path.join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ accountId: '111111111111', region: 'eu-west-1', targets: targets(2200, { accounts: 900, deployedBy: 'owner' }) }));

    // Act
    const synth = promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '-c', `config=${configPath}`, '--output', path.join(dir, 'cdk.out')]);

    // Assess: the sentences, their fixes and esbuild's lines, and no stack trace or minified code.
    const { stderr } = (await synth.then(() => ({ stderr: '' }), (error: unknown) => error)) as { stderr: string };
    expect(stderr).toMatch(/The template of stack ConsoleBrokerExternalIds-\d has 5\d\d resources; CloudFormation accepts at most 500 per template/);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(Math.max(...stderr.split('\n').map((line) => line.length))).toBeLessThan(500);
    expect(stderr.length).toBeLessThan(10_000);
  });
});
