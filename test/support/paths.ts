import * as path from 'node:path';

/**
 * Where `cdk synth` writes for the tests and the sandbox. CONSOLE_BROKER_CDK_OUT moves it, so that two
 * test runs on one machine do not overwrite each other's assets.
 */
export const CDK_OUT = process.env.CONSOLE_BROKER_CDK_OUT ?? path.join(__dirname, '..', '..', 'cdk.out');
