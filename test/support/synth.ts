import { execFileSync } from 'node:child_process';
import { CDK_OUT } from './paths';

/** Synthesizes the app into cdk.out once per run, exactly as `cdk synth` does for a deploy, and builds the CLI. */
export default function setup(): void {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', CDK_OUT], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('npm', ['run', '--silent', 'build:cli'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
