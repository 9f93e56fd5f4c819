/**
 * `cdk synth` at the sizes the stack layout is built for: broker-deployed accounts (each its own stack
 * of secrets and a target stack) and owner-deployed targets (stacks of secrets of bounded size). Prints
 * a Markdown table for BENCHMARKS.md. Run with `npm run bench:layout`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scaleConfigFile } from '../test/support/scale';

const ROOT = path.join(__dirname, '..');
const WORK = path.join(ROOT, '.bench', 'layout');

interface Size {
  readonly label: string;
  /** Targets, accounts and how many of those accounts the broker deploys to (scaleConfigFile). */
  readonly config: [number, number, number];
}

const SIZES: readonly Size[] = [
  { label: '21 broker-deployed accounts (42 targets)', config: [42, 21, 21] },
  { label: '100 broker-deployed accounts (200 targets)', config: [200, 100, 100] },
  { label: '300 targets (5 accounts broker-deployed)', config: [300, 150, 5] },
  { label: '1,000 targets (5 accounts broker-deployed)', config: [1000, 500, 5] },
  { label: '1,000 targets, 100 accounts broker-deployed', config: [1000, 500, 100] },
];

interface Measured {
  readonly seconds: number;
  readonly peakMiB: number;
  readonly stacks: number;
  readonly mostResources: number;
}

/** The CLI as an operator runs it; GNU time reports the largest process's peak memory. */
function synth(size: Size, index: number): Measured {
  const configPath = path.join(WORK, `layout-${index}.json`);
  const cdkOut = path.join(WORK, `layout-${index}.out`);
  writeFileSync(configPath, JSON.stringify(scaleConfigFile(...size.config)));
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'PEAK_KB %M', 'npx', 'cdk', 'synth', '--quiet', '-c', `config=${configPath}`, '--output', cdkOut], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`cdk synth of ${size.label} failed: ${result.stderr.slice(-2000)}`);
  const templates = readdirSync(cdkOut).filter((file) => file.endsWith('.template.json'));
  const resources = templates.map((file) => Object.keys((JSON.parse(readFileSync(path.join(cdkOut, file), 'utf8')) as { Resources: object }).Resources).length);
  return { seconds, peakMiB: Number(/PEAK_KB (\d+)/.exec(result.stderr)?.[1]) / 1024, stacks: templates.length, mostResources: Math.max(...resources) };
}

mkdirSync(WORK, { recursive: true });
const rows = SIZES.map((size, index) => {
  const measured = synth(size, index);
  console.error(`${size.label}: ${measured.seconds.toFixed(1)} s`);
  return `| ${size.label} | ${measured.seconds.toFixed(1)} s | ${measured.peakMiB.toFixed(0)} MiB | ${measured.stacks} | ${measured.mostResources} |`;
});
console.log(['| `cdk synth` of | Time | Peak memory | Stacks | Resources in the largest stack |', '|---|---|---|---|---|', ...rows].join('\n'));
