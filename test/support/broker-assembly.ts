import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addConsoleBroker } from '../../lib/app';
import type { BrokerConfig } from '../../lib/config';

/**
 * Synthesizes the app for `config` into a new directory, with the same stacks and bundles `cdk synth`
 * writes (cdk-nag aside), and answers the directory.
 */
export function synthesizeBroker(config: BrokerConfig, prefix = 'cdk-out-'): string {
  const outdir = mkdtempSync(path.join(tmpdir(), prefix));
  // The asset metadata names each function's bundle, which bundledHandlerPath follows.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  addConsoleBroker(app, config);
  app.synth();
  return outdir;
}

interface FunctionResource {
  readonly Type: string;
  readonly Properties: { readonly Environment?: { readonly Variables?: Record<string, unknown> } };
}

/**
 * The environment the broker template gives the function whose construct ID starts with `functionId`.
 * Values CloudFormation computes at deploy (another resource's attribute) are left out: nothing here
 * deploys that resource.
 */
export function deployedEnvironment(cdkOut: string, functionId: string): Record<string, string> {
  const template = JSON.parse(readFileSync(path.join(cdkOut, 'ConsoleBroker.template.json'), 'utf8')) as { Resources: Record<string, FunctionResource> };
  const variables = Object.entries(template.Resources).find(([id, r]) => id.startsWith(functionId) && r.Type === 'AWS::Lambda::Function')?.[1].Properties.Environment?.Variables ?? {};
  return Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
