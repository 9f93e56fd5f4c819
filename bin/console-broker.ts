#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionUrlChecks } from '../lib/nag';
import { addConsoleBroker } from '../lib/app';
import { loadConfig } from '../lib/config';

// Synthesized here rather than when Node exits, so that a configuration the app refuses (a limit it
// would exceed in AWS, a field it does not accept) ends in one sentence, not Node's dump of the throwing line.
const app = new App({ autoSynth: false });
try {
  const configPath = String(app.node.tryGetContext('config') ?? 'config/console-broker.json');
  addConsoleBroker(app, loadConfig(configPath));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
  app.synth();
} catch (error) {
  process.stderr.write(`console-broker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
