/**
 * `npm run bench`: how fast a login is and what the broker itself costs, measured side by side in one
 * run (absolute times drift on a shared machine; ratios measured together do not). Prints a table and
 * writes BENCHMARKS.md and bench/chart.svg. A benchmark, not a test: nothing here fails on slow numbers.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import type { Context } from 'aws-lambda';
import { HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { registryFor } from '../lib/broker-stack';
import { loadConfig } from '../lib/config';
import type { Registry } from '../lambda/core/registry';
import type { FunctionUrlEvent } from '../lambda/core/request';
import { homePage } from '../lambda/web/web-pages';
import { FakeAws } from '../test/fakes/aws';
import { LocalFunctionUrl, type FunctionHandler } from '../test/fakes/function-url';
import { bundledHandlerPath } from '../test/support/bundle';
import { ADMIN_CALLER } from '../test/support/config';
import { functionUrlEvent, lambdaContext } from '../test/support/events';
import { SCALE_GROUP, scaleConfig, scaleConfigFile } from '../test/support/scale';
import { barChart } from './chart';
import { measureSlackEntry } from './slack';

const ROOT = path.join(__dirname, '..');
const WORK = path.join(ROOT, '.bench');
const COLD_RUNS = 21;
const LOGIN_RUNS = 15;
const WARM_REQUESTS = 500;
const LOAD_SECONDS = 10;
const LOAD_CONNECTIONS = 10;
const PYTHON = '/usr/bin/python3';
/** Registry sizes for the scale measures, each in half as many accounts: doubling shows what grows with what. */
const SCALE_TARGETS = [3, 150, 300] as const;
const RENDERS = 100;

interface Timing {
  readonly importMs: number;
  readonly firstRequestMs?: number;
  readonly totalMs: number;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

/** Runs a command, returning its wall time and the BENCH line it printed on stderr. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ wallMs: number; timing: Timing | undefined }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}: ${stderr}`));
        return;
      }
      const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
      resolve({ wallMs, timing: line ? (JSON.parse(line.slice(6)) as Timing) : undefined });
    });
  });
}

async function repeat(times: number, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ wall: number[]; timings: Timing[] }> {
  const wall: number[] = [];
  const timings: Timing[] = [];
  for (let i = 0; i < times; i++) {
    const result = await run(command, args, env);
    wall.push(result.wallMs);
    if (result.timing) timings.push(result.timing);
  }
  return { wall, timings };
}

/** The same handler bundled as CDK's NodejsFunction does by default: CommonJS, not minified, the SDK left to the runtime. */
async function buildComparisons(registry: string): Promise<{ cjsDefault: string; cjsBundled: string }> {
  const entry = path.join(ROOT, 'lambda', 'iam', 'handler.ts');
  const common = { entryPoints: [entry], bundle: true, platform: 'node' as const, target: 'node20', define: { 'process.env.CONSOLE_BROKER_REGISTRY': JSON.stringify(registry) }, logLevel: 'silent' as const };
  const cjsDefault = path.join(WORK, 'cjs-default', 'index.js');
  const cjsBundled = path.join(WORK, 'cjs-bundled', 'index.js');
  await build({ ...common, format: 'cjs', outfile: cjsDefault, external: ['@aws-sdk/*'] });
  await build({ ...common, format: 'cjs', outfile: cjsBundled, minify: true, alias: { '@aws-sdk/credential-provider-node': './lambda/core/lambda-credentials.ts' } });
  return { cjsDefault, cjsBundled };
}

interface ScaleSynth {
  readonly targets: number;
  readonly seconds: number;
  readonly peakMiB: number;
  readonly cdkOut: string;
}

/** `cdk synth` of the scale registry with `targets` targets, as an operator runs it; GNU time reports the largest process's peak memory. */
function synthScale(targets: number): ScaleSynth {
  const configPath = path.join(WORK, `scale-${targets}.json`);
  const cdkOut = path.join(WORK, `scale-${targets}.out`);
  writeFileSync(configPath, JSON.stringify(scaleConfigFile(targets, Math.ceil(targets / 2))));
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'PEAK_KB %M', 'npx', 'cdk', 'synth', '--quiet', '-c', `config=${configPath}`, '--output', cdkOut], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`cdk synth of ${targets} targets failed: ${result.stderr}`);
  const peakKb = Number(/PEAK_KB (\d+)/.exec(result.stderr)?.[1]);
  return { targets, seconds, peakMiB: peakKb / 1024, cdkOut };
}

/** Median time to render the browser entry's home page for a person who may open every target of `registry`, and the page's size. */
function renderHome(registry: Registry): { ms: number; bytes: number } {
  const person = { issuer: 'https://idp.example.com', subject: 'bench', email: 'alice@example.com', emailVerified: true, groups: [SCALE_GROUP] };
  const view = { query: '', recent: registry.targets.slice(0, 5).map((t) => t.name) };
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RENDERS; i++) {
    const started = performance.now();
    const page = homePage(person, registry.targets, registry.partition, ['https://signin.aws.amazon.com'], 'csrf', view);
    times.push(performance.now() - started);
    bytes = Buffer.byteLength(page.body ?? '');
  }
  return { ms: median(times), bytes };
}

function ensurePython(): void {
  const check = spawnSync(PYTHON, ['-c', 'import boto3, requests'], { stdio: 'ignore' });
  if (check.status === 0) return;
  console.log('Installing Debian python3-boto3 and python3-requests for the comparison...');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'python3-boto3', 'python3-requests'], { stdio: 'inherit' });
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  console.log('Synthesizing (cdk synth) so the measured bundle is the deployed one...');
  execFileSync('npx', ['cdk', 'synth', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  ensurePython();

  const deployed = bundledHandlerPath();
  const registry = JSON.stringify(registryFor(loadConfig(path.join(ROOT, 'config', 'console-broker.json'))));
  const { cjsDefault, cjsBundled } = await buildComparisons(registry);

  // 6 (first, so the warm measure can use its bundle). Scale: cdk synth, bundles and the home page at each registry size.
  console.log(`Scale: cdk synth of ${SCALE_TARGETS.join(', ')} targets...`);
  const scaleSynths = SCALE_TARGETS.map(synthScale);
  const scaleBundles = scaleSynths.map((synth) => ({
    login: readFileSync(bundledHandlerPath({ cdkOut: synth.cdkOut })).length,
    web: readFileSync(bundledHandlerPath({ cdkOut: synth.cdkOut, functionId: 'WebFunction' })).length,
  }));
  const homes = SCALE_TARGETS.map((targets) => renderHome(registryFor(scaleConfig(targets, Math.ceil(targets / 2)))));
  const largestRegistry = registryFor(scaleConfig());
  const oneGroup = renderHome({ ...largestRegistry, targets: largestRegistry.targets.map((t) => ({ ...t, group: 'one customer' })) });

  // 1. Bundle size.
  const bundleBytes = readFileSync(deployed);
  const size = { bytes: bundleBytes.length, gzip: gzipSync(bundleBytes).length };

  // Local protocol servers for everything that talks to AWS.
  const fake = await new FakeAws().start();
  const externalId = randomBytes(24).toString('hex');
  fake.roles.set('arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly', { externalId });
  fake.secrets.set('console-broker/external-id/prod-readonly', externalId);
  const env = { PATH: process.env.PATH ?? '', ...fake.env() };
  const probe = path.join(__dirname, 'probe.mjs');

  // 2. Cold init, each variant in fresh processes, interleaved so drift hits all alike.
  console.log(`Cold init: ${COLD_RUNS} fresh processes per variant...`);
  const cold = { floor: [] as number[], esm: [] as Timing[], cjsDefault: [] as Timing[], cjsBundled: [] as Timing[], floorWall: [] as number[], esmWall: [] as number[], cjsDefaultWall: [] as number[], cjsBundledWall: [] as number[] };
  for (let i = 0; i < COLD_RUNS; i++) {
    const floor = await run(process.execPath, ['-e', '0'], env);
    cold.floorWall.push(floor.wallMs);
    for (const [key, file] of [['esm', deployed], ['cjsDefault', cjsDefault], ['cjsBundled', cjsBundled]] as const) {
      const result = await run(process.execPath, [probe, 'import', file], env);
      if (result.timing) cold[key].push(result.timing);
      cold[`${key}Wall`].push(result.wallMs);
    }
  }
  const importMedian = {
    esm: median(cold.esm.map((t) => t.importMs)),
    cjsDefault: median(cold.cjsDefault.map((t) => t.importMs)),
    cjsBundled: median(cold.cjsBundled.map((t) => t.importMs)),
  };

  // 3. First login URL in a fresh process: the broker's bundle against the Python flow.
  console.log(`First login URL: ${LOGIN_RUNS} fresh processes each...`);
  const nodeLogin = await repeat(LOGIN_RUNS, process.execPath, [probe, 'login', deployed], env);
  const pythonLogin = await repeat(LOGIN_RUNS, PYTHON, [path.join(__dirname, 'python_login.py')], env);
  const pythonFloor = await repeat(LOGIN_RUNS, PYTHON, ['-c', '0'], env);
  const first = {
    node: median(nodeLogin.timings.map((t) => t.totalMs)),
    nodeImport: median(nodeLogin.timings.map((t) => t.importMs)),
    nodeRequest: median(nodeLogin.timings.map((t) => t.firstRequestMs ?? NaN)),
    python: median(pythonLogin.timings.map((t) => t.totalMs)),
    pythonImport: median(pythonLogin.timings.map((t) => t.importMs)),
    pythonRequest: median(pythonLogin.timings.map((t) => t.firstRequestMs ?? NaN)),
    nodeWall: median(nodeLogin.wall),
    pythonWall: median(pythonLogin.wall),
    nodeFloorWall: median(cold.floorWall),
    pythonFloorWall: median(pythonFloor.wall),
  };

  // 4. Warm requests in this process, on the deployed bundle.
  console.log(`Warm: ${WARM_REQUESTS} requests...`);
  for (const [key, value] of Object.entries(env)) process.env[key] = value;
  const { handler } = (await import(deployed)) as { handler: FunctionHandler };
  // The largest registry's bundle, asked for its last target, requests interleaved with the deployed one's so drift hits both alike.
  const largest = scaleSynths.at(-1);
  if (!largest) throw new Error('no scale synthesis');
  const { handler: largestHandler } = (await import(bundledHandlerPath({ cdkOut: largest.cdkOut }))) as { handler: FunctionHandler };
  const lastTarget = registryFor(scaleConfig(largest.targets, Math.ceil(largest.targets / 2))).targets.at(-1);
  if (!lastTarget) throw new Error('no target in the scale registry');
  fake.roles.set(lastTarget.roleArn, { externalId });
  fake.secrets.set(lastTarget.externalIdSecretId, externalId);
  const quiet = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true);
  const measureWarm = async (fn: FunctionHandler, event: () => FunctionUrlEvent, overhead: number[], outbound: number[]): Promise<void> => {
    const calls = fake.calls.length;
    const server = fake.serverTimeMs;
    const started = performance.now();
    await fn(event(), lambdaContext() as unknown as Context);
    overhead.push(performance.now() - started - (fake.serverTimeMs - server));
    outbound.push(fake.calls.length - calls);
  };
  const deployedEvent = (): FunctionUrlEvent => functionUrlEvent({ accept: 'application/json' });
  const largestEvent = (): FunctionUrlEvent => functionUrlEvent({ accept: 'application/json', path: `/${lastTarget.name}`, callerArn: ADMIN_CALLER });
  await measureWarm(handler, deployedEvent, [], []);
  await measureWarm(largestHandler, largestEvent, [], []);
  const overhead: number[] = [];
  const outbound: number[] = [];
  const largestOverhead: number[] = [];
  const largestOutbound: number[] = [];
  for (let i = 0; i < WARM_REQUESTS; i++) {
    await measureWarm(handler, deployedEvent, overhead, outbound);
    await measureWarm(largestHandler, largestEvent, largestOverhead, largestOutbound);
  }
  process.stdout.write = quiet;
  const warm = { p50: percentile(overhead, 50), p99: percentile(overhead, 99), outbound: [...new Set(outbound)] };
  const largestWarm = { p50: percentile(largestOverhead, 50), p99: percentile(largestOverhead, 99), outbound: [...new Set(largestOutbound)] };

  // 5. Load through the local function URL server, with a SigV4-signed request.
  console.log(`Load: autocannon, ${LOAD_CONNECTIONS} connections for ${LOAD_SECONDS} s...`);
  const caller = { credentials: { accessKeyId: 'AKIABENCHCALLER00000', secretAccessKey: randomBytes(20).toString('hex') }, arn: 'arn:aws:sts::111111111111:assumed-role/chatops-bot/bench' };
  const functionUrl = new LocalFunctionUrl(handler, new Map([[caller.credentials.accessKeyId, caller]]));
  const base = new URL(await functionUrl.start());
  const signer = new SignatureV4({ service: 'lambda', region: 'eu-west-1', credentials: caller.credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: base.hostname, port: Number(base.port), path: '/prod-readonly', headers: { host: base.host, accept: 'application/json' } }));
  process.stdout.write = (() => true);
  const load = await autocannon({ url: `${base.origin}/prod-readonly`, headers: signed.headers, connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS });
  await new Promise((resolve) => setTimeout(resolve, 500)); // let requests in flight finish before the servers stop
  process.stdout.write = quiet;
  await functionUrl.stop();
  await fake.stop();
  const loadErrors = load.errors + load.timeouts + load.non2xx;

  // 7. The Slack entry's cold path: Slack waits three seconds, cold start included.
  console.log(`Slack entry: ${COLD_RUNS} cold imports, ${LOGIN_RUNS} first answers...`);
  const slack = await measureSlackEntry(WORK, COLD_RUNS, LOGIN_RUNS);

  // Report.
  const rows: [string, string, string][] = [
    ['Bundle (deployed asset)', `${kb(size.bytes)} minified, ${kb(size.gzip)} gzipped`, 'goal: under 350 KB'],
    ['Cold import, ESM bundle (deployed)', ms(importMedian.esm), `${ratio(importMedian.esm, importMedian.cjsDefault)} of the CommonJS default; goal ≤ 0.5× and < 80 ms`],
    ['Cold import, CDK default (CommonJS, SDK from node_modules)', ms(importMedian.cjsDefault), 'the default NodejsFunction bundle'],
    ['Cold import, CommonJS with the SDK bundled and minified', ms(importMedian.cjsBundled), 'format alone'],
    ['Fresh process wall time: bare `node -e 0` / ESM import / CDK default import', `${ms(median(cold.floorWall))} / ${ms(median(cold.esmWall))} / ${ms(median(cold.cjsDefaultWall))}`, 'includes the interpreter start'],
    ['First login URL in a fresh process, broker bundle', `${ms(first.node)} (import ${ms(first.nodeImport)} + request ${ms(first.nodeRequest)})`, `${ratio(first.python, first.node)} faster than Python; goal ≥ 3×`],
    ['First login URL in a fresh process, Python boto3 + requests', `${ms(first.python)} (import ${ms(first.pythonImport)} + requests ${ms(first.pythonRequest)})`, 'the AWS documentation approach'],
    ['Whole process to login URL: node / python (bare interpreter: node / python)', `${ms(first.nodeWall)} / ${ms(first.pythonWall)} (${ms(first.nodeFloorWall)} / ${ms(first.pythonFloorWall)})`, 'interpreter start included'],
    ['Warm handler overhead above the local servers', `p50 ${ms(warm.p50)}, p99 ${ms(warm.p99)}`, 'goal: p50 under 2 ms'],
    ['Outbound calls per warm request', warm.outbound.join(', '), 'goal: exactly 2 (STS, federation)'],
    [`Load: ${LOAD_CONNECTIONS} connections, ${LOAD_SECONDS} s, through the local function URL`, `${load.requests.average.toFixed(0)} req/s, p99 ${load.latency.p99} ms, ${loadErrors} errors`, `${load.requests.total} requests`],
  ];
  const sizes = SCALE_TARGETS.join(' / ');
  const each = <T,>(values: readonly T[], show: (value: T) => string): string => values.map(show).join(' / ');
  const scaleRows: [string, string, string][] = [
    [`\`cdk synth\` (both entries bundled, cdk-nag, deploy limits): ${sizes} targets`, each(scaleSynths, (s) => `${s.seconds.toFixed(1)} s`), 'the whole CLI run, the app in a subprocess'],
    [`Peak memory of \`cdk synth\`: ${sizes} targets`, each(scaleSynths, (s) => `${s.peakMiB.toFixed(0)} MiB`), 'the largest process'],
    [`Bundle, IAM entry (browser entry): ${sizes} targets`, each(scaleBundles, (b) => `${kb(b.login)} (${kb(b.web)})`), 'the registry is in each bundle'],
    [`Warm handler overhead, ${scaleSynths.at(-1)?.targets ?? ''} targets, its last target`, `p50 ${ms(largestWarm.p50)}, p99 ${ms(largestWarm.p99)}; ${largestWarm.outbound.join(', ')} outbound calls`, `interleaved with the deployed bundle's ${ms(warm.p50)} above`],
    [`Home page render, a person allowed every target: ${sizes} targets`, each(homes, (h) => ms(h.ms)), `page ${each(homes, (h) => kb(h.bytes))}`],
    ['Home page render, 300 targets in one group', ms(oneGroup.ms), `page ${kb(oneGroup.bytes)}`],
  ];
  rows.push(...slack.rows, ...scaleRows);
  const [small, half, full] = [0, 1, 2].map((i) => ({ synth: scaleSynths[i], bundle: scaleBundles[i], home: homes[i] }));
  if (!small?.synth || !small.bundle || !half?.synth || !half.home || !full?.synth || !full.bundle || !full.home) throw new Error('a scale measure is missing');
  const times = (a: number, b: number): string => `×${(a / b).toFixed(2)}`;
  const addedTargets = full.synth.targets - small.synth.targets;
  const perTarget = (grown: number, base: number): string => ((grown - base) / addedTargets).toFixed(0);
  const doubling = `from ${half.synth.targets} to ${full.synth.targets} targets`;
  const growth = [
    `- **\`cdk synth\`** is mostly fixed cost at these sizes (the CLI, bundling two entries); each target adds a secret, and each broker-deployed account a stack: ${times(full.synth.seconds, half.synth.seconds)} in time and ${times(full.synth.peakMiB, half.synth.peakMiB)} in peak memory ${doubling}, where the registry grows ×2.`,
    `- **Bundles** grow by the registry's JSON: about ${perTarget(full.bundle.login, small.bundle.login)} bytes per target in the IAM entry and ${perTarget(full.bundle.web, small.bundle.web)} in the browser entry.`,
    `- **Warm overhead** does not grow: a request finds its target in one pass over the registry (\`registry.targets.find\`), microseconds at ${full.synth.targets} targets; p50 ${ms(largestWarm.p50)} there against ${ms(warm.p50)} for the deployed bundle.`,
    `- **The home page** grows with the targets the person may open, a row each: ${times(full.home.ms, half.home.ms)} in render time and ${times(full.home.bytes, half.home.bytes)} in bytes ${doubling}; ${ms(oneGroup.ms)} with all ${full.synth.targets} in one group.`,
    `- **The login role** gains a customer managed policy per about a hundred targets (their role ARNs; their secrets are one name pattern), and the broker stack a secret per target: its 500-resource limit, not IAM's, bounds one broker (README, Deploy).`,
  ].join('\n');
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log();
  for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value}   ${note}`);

  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    path.join(__dirname, 'chart.svg'),
    barChart('console-broker: fresh-process timings (median, ms)', [
      { label: 'bare node -e 0 (whole process)', value: median(cold.floorWall), group: 'floor' },
      { label: 'import: ESM bundle (deployed)', value: importMedian.esm, group: 'broker' },
      { label: 'import: CDK default CommonJS', value: importMedian.cjsDefault, group: 'other' },
      { label: 'import: CommonJS, SDK bundled', value: importMedian.cjsBundled, group: 'other' },
      { label: 'first login URL: broker', value: first.node, group: 'broker' },
      { label: 'first login URL: Python boto3', value: first.python, group: 'other' },
    ]),
  );
  writeFileSync(
    path.join(ROOT, 'BENCHMARKS.md'),
    `# Benchmarks

Measured with \`npm run bench\` on ${date}: ${machine()}.
Every figure is a median over repeated runs (${COLD_RUNS} fresh processes per cold-start variant,
${LOGIN_RUNS} per first-login flow, ${WARM_REQUESTS} warm requests), and every comparison is a ratio
taken in the same run. All AWS endpoints are the local protocol servers of \`test/fakes/\` on
127.0.0.1, so the times are the broker's own cost, not AWS's.

![Fresh-process timings](bench/chart.svg)

| measure | result | note |
| --- | --- | --- |
${rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`).join('\n')}

How each is taken:

1. **Bundle**: bytes of \`index.mjs\` in the deployed asset under \`cdk.out\`, and gzipped.
2. **Cold import**: a fresh \`node\` process, with the environment the Lambda gets, times \`await import(bundle)\` from inside (\`bench/probe.mjs\`). The CommonJS default is the same
   handler built as \`NodejsFunction\` does by default (CommonJS, not minified, \`@aws-sdk/*\` left to
   the runtime, here resolved from \`node_modules\`).
3. **First login URL**: from before the first import to the login URL in hand, inside the process:
   the deployed bundle's handler for one request, against \`bench/python_login.py\` (boto3 and
   requests from Debian, the AWS documentation's flow plus the secret read the broker does).
4. **Warm**: the deployed handler in one process; overhead is each request's time minus the time
   the local servers spent answering it.
5. **Load**: autocannon against the local function URL server (SigV4 check, event building) in front
   of the deployed handler. The fakes, the server and the handler share one process and two cores
   with autocannon, so the rate is a floor for the broker's own cost, not a capacity figure.
6. **Scale**: a generated registry (\`test/support/scale.ts\`) of ${sizes} targets in half as many
   accounts, a production and a staging target in each, the first five accounts deployed by the
   broker and the rest by their owners. \`cdk synth\` is the CLI as an operator runs it (\`-c config=\`),
   timed whole, its peak memory the largest process's (GNU time). The warm overhead of the largest
   registry's IAM entry is measured as in 4, asking for its last target, each request interleaved
   with one to the deployed bundle. The home page is \`homePage\` of \`lambda/web/web-pages.ts\`
   for a person allowed every target, with five opened last, median of ${RENDERS} renders.
7. **Slack entry** (\`bench/slack.ts\`): a broker with a Slack entry and no browser entry, so the entry
   mints login URLs itself, its longest path. Its bundle; its cold import, interleaved with the IAM
   entry's of the same synthesis; and its first answer in a fresh process (\`bench/slack-probe.mjs\`): a
   slash command signed as Slack signs it, to the answer with its login URL button in hand, through
   the local Secrets Manager, Slack Web API (\`users.info\`, \`usergroups.users.list\`), STS and federation
   servers, interleaved with the IAM entry's first login URL. Slack allows three seconds for the answer.

## What grows with what

${growth}

## What moved the numbers (measured on 2026-11-24, same machine)

| change | before | after |
| --- | --- | --- |
| The federation call goes through the SDK's own \`NodeHttpHandler\` instead of \`fetch\`, whose first call loads undici | first request 123 ms | 65 ms (with the next two) |
| \`@aws-sdk/credential-provider-node\` aliased to an environment-only provider: Lambda always puts the role's credentials in the environment, and the rest of the chain (profiles, SSO, IMDS, web identity, their nested clients) was a third of the bundle | 333 KiB, import 99 ms | 221 KiB, import 82 ms |
| \`--enable-source-maps\` off at run time (the map still ships in the asset; the broker logs error names, not stacks) | import 82 ms | 74 ms |
| \`cacheMiddleware: true\` on the SDK clients: each command's middleware stack is resolved once, not on every call | warm overhead ≈ 2.6 ms | ≈ 2.0 ms |
| ESM with \`mainFields: ['module', 'main']\` kept over CommonJS: the same minified code imports in under half the time | CommonJS 191 ms | ESM 74 ms |

What is left of the first request is the AWS SDK's first use of each client (configuration and
endpoint resolution, building the middleware chain, first JIT of signing and XML parsing): about
25 ms for Secrets Manager and 13 ms for STS, spread over many small functions, none above 6 ms.
The warm overhead is mostly the SDK's per-call work for STS (serialization, SigV4, XML parsing) and
the two loopback HTTP exchanges.
`,
  );
  console.log('\nWrote BENCHMARKS.md and bench/chart.svg');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
