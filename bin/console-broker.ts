#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addConsoleBroker } from '../lib/app';
import { loadConfig } from '../lib/config';

const app = new App();
const configPath = String(app.node.tryGetContext('config') ?? 'config/console-broker.json');
addConsoleBroker(app, loadConfig(configPath));
