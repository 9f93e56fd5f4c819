import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../lib/app';
import { registryFor } from '../lib/broker-stack';
import { LoginFunction } from '../lib/constructs/login-function';
import { LIMITS } from '../lib/limits';
import { FunctionUrlChecks } from '../lib/nag';
import { scaleConfig } from './support/scale';

/** Synthesis of the fleet, bundling both entries, takes about 60 s on a busy 2-core machine; twice that is a regression, not noise. */
const FLEET_SYNTH_BOUND_MS = 150_000;

interface PolicyResource {
  readonly Properties: { readonly Roles?: unknown[]; readonly PolicyDocument: { readonly Statement: { Sid: string; Resource: unknown }[] } };
}

/** The resources of the statements named `sid` across `policies`, flattened. */
function resourcesOf(policies: readonly PolicyResource[], sid: string): unknown[] {
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement.filter((s) => s.Sid === sid).flatMap((s): unknown[] => (Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource])));
}

describe('a fleet of 1,000 targets, 100 accounts of them broker-deployed', { timeout: FLEET_SYNTH_BOUND_MS + 60_000 }, () => {
  it('synthesizes cdk-nag clean and within every deploy limit, in bounded time, each target named exactly once in the login role', () => {
    // Prepare: 500 accounts, two targets in each; the first 100 deployed by the broker.
    const app = new App();
    const config = scaleConfig(1000, 500, 100);
    expect(config.targets.filter((t) => t.deployedBy === 'owner')).toHaveLength(800);
    const stacks = addConsoleBroker(app, config);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));

    // Act
    const started = performance.now();
    app.synth();
    const elapsed = performance.now() - started;

    // Assess
    expect(elapsed).toBeLessThan(FLEET_SYNTH_BOUND_MS);
    const broker = Template.fromStack(stacks.broker);
    const loginRole = Object.keys(broker.findResources('AWS::IAM::Role', { Properties: { RoleName: 'console-broker-login-eu-west-1' } }))[0];
    const attached = Object.values(broker.findResources('AWS::IAM::ManagedPolicy') as Record<string, PolicyResource>).filter((p) =>
      JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: loginRole }]),
    );
    expect(attached.length).toBeLessThanOrEqual(LIMITS.managedPoliciesPerRole);
    // With the secrets named by one prefix, the roles alone fill a policy per about a hundred targets.
    expect(attached.length).toBeLessThanOrEqual(Math.ceil(config.targets.length / 100));
    // A stack of secrets and a target stack per broker-deployed account, each reader role trusting one principal.
    expect(stacks.targets.size).toBe(100);
    for (const secrets of [...stacks.externalIds.values()].filter((s) => s.stackName.length > 'ConsoleBrokerExternalIds-'.length + 1)) {
      const readers = Object.values(Template.fromStack(secrets).findResources('AWS::IAM::Role')) as { Properties: { AssumeRolePolicyDocument: { Statement: { Principal: { AWS: unknown } }[] } } }[];
      expect(readers.map((r) => r.Properties.AssumeRolePolicyDocument.Statement.map((st) => Array.isArray(st.Principal.AWS)))).toEqual([[false]]);
    }
    // The roles by exact ARN, each once, in managed policies; the secrets by their name prefix in the inline policy.
    expect(resourcesOf(attached, 'AssumeTargetRoles')).toEqual(registryFor(config).targets.map((t) => t.roleArn));
    expect(resourcesOf(attached, 'ReadExternalIds')).toEqual([]);
    const inline = Object.values(broker.findResources('AWS::IAM::Policy') as Record<string, PolicyResource>);
    expect(resourcesOf(inline, 'ReadExternalIds')).toEqual(['arn:aws:secretsmanager:eu-west-1:111111111111:secret:console-broker/external-id/*']);
    expect(resourcesOf(inline, 'AssumeTargetRoles')).toEqual([]);
  });

  it('bundles a registry longer than one command-line argument may be (128 KiB on Linux), which a define could not carry', () => {
    // Prepare
    const registry = registryFor(scaleConfig(1000, 500));
    expect(JSON.stringify(JSON.stringify(registry)).length).toBeGreaterThan(128 * 1024);
    const app = new App();
    const stack = new Stack(app, 'Registry');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // Act
    new LoginFunction(stack, 'Login', { registry, role, logRetentionDays: 90 });
    const assembly = app.synth();

    // Assess
    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    const bundles = assets.map((asset) => readFileSync(path.join(assembly.directory, asset, 'index.mjs'), 'utf8'));
    expect(bundles).toEqual([expect.stringContaining('console-broker/external-id/customer-499-staging-999')]);
  });
});
