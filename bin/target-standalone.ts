#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionUrlChecks } from '../lib/nag';
import { StandaloneTargetStack } from '../lib/target-stack';

// For a target account whose owner deploys the role: no configuration, only the stack's parameters.
const app = new App();
new StandaloneTargetStack(app, 'ConsoleBrokerTargetStandalone', {
  description: 'console-broker: a role that only the broker may assume, with the external ID',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
