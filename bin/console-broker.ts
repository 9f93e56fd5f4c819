#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionUrlChecks } from '../lib/nag';
import { addConsoleBroker } from '../lib/app';
import { loadConfig } from '../lib/config';

const app = new App();
const configPath = String(app.node.tryGetContext('config') ?? 'config/console-broker.json');
addConsoleBroker(app, loadConfig(configPath));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
