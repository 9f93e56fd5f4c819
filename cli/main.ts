#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { BrokerError, checkTargets, listConsoleTargets, requestConsoleLogin, type BrokerOptions, type DoctorOptions, type DoctorReport } from './client';
import { oneTimeRedirect } from './one-time-redirect';
import type { PreflightCheck } from './preflight';

const USAGE = `Usage:
  console-broker login <target> [--region R] [--service S | --destination PATH] [--logout] [--reason TEXT]
                       [--for EMAIL [--groups G1,G2]] [--print | --json]
  console-broker targets [--for EMAIL [--groups G1,G2]] [--json]
  console-broker doctor [--doctor-url URL] [--json]
  console-broker preflight [--cdk-out DIR] [--profile NAME]

Common options:
  --url URL            the broker's function URL (else CONSOLE_BROKER_URL, else the ConsoleBroker stack's output)
  --profile NAME       an AWS shared config profile (else the standard credential chain)
  --broker-region R    the broker's region, to sign for and to find its stack
  -h, --help           this text

login opens the console in your browser, through a one-time redirect on 127.0.0.1 so that the login
URL appears in no process's arguments; --print prints the login URL instead (it signs in whoever
opens it, for 15 minutes), --json prints the broker's whole answer. --reason says why (a ticket ID
or a sentence); the broker logs it, and some targets require it.
--for (for bots the broker trusts as delegators) names the person the caller acts for, by e-mail
address, with --groups the groups the bot may vouch they are in: the broker authorizes that person
and names the console session after them.
doctor (for the broker's operators) reads every target's external ID and assumes its role as a login
would, prints what is wrong with each broken one, and exits 1 when any is broken. It runs in its own
function: --doctor-url, else CONSOLE_BROKER_DOCTOR_URL, else the ConsoleBroker stack's DoctorUrl output.
preflight (before \`cdk deploy\`) reads what \`cdk synth\` wrote (--cdk-out, default cdk.out) and, with your
own credentials and read-only calls, says what would make the deploy fail: the broker account's Lambda
concurrency against what the configuration reserves, the CDK bootstrap version in every account and
region the app deploys to, and secret names already taken. One line per check; it exits 1 when
something would fail.`;

const OPTIONS = {
  region: { type: 'string' },
  service: { type: 'string' },
  destination: { type: 'string' },
  logout: { type: 'boolean' },
  reason: { type: 'string' },
  for: { type: 'string' },
  groups: { type: 'string' },
  print: { type: 'boolean' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  'doctor-url': { type: 'string' },
  'cdk-out': { type: 'string' },
  profile: { type: 'string' },
  'broker-region': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Output = (line: string) => void;

function parse(argv: readonly string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>> {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new BrokerError('usage', `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The doctor's report as a table, then what to do about each broken target. */
function doctorTable(report: DoctorReport): string[] {
  const rows = [
    ['TARGET', 'ACCOUNT', 'STATUS', 'STEPS'],
    ...report.targets.map((t) => [t.target, t.accountId, t.ok ? 'ok' : (t.problem ?? 'broken'), t.steps.map((s) => `${s.step} ${s.ok ? '' : 'failed '}${s.ms} ms`).join(', ')]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  const advice = report.targets.filter((t) => !t.ok).map((t) => `${t.target}: ${t.advice ?? ''}`);
  return [...table, '', ...advice, ...(advice.length > 0 ? [''] : []), doctorSummary(report)];
}

/** A target the run had no time for is not known to be broken: the summary counts it apart. */
function doctorSummary(report: DoctorReport): string {
  const total = report.targets.length;
  if (report.ok) return `All ${total} targets are reachable.`;
  const notChecked = report.targets.filter((t) => t.problem === 'NotChecked').length;
  const broken = report.targets.filter((t) => !t.ok).length - notChecked;
  const brokenPart = `${broken} of ${total} targets are broken`;
  return notChecked === 0 ? `${brokenPart}.` : `${brokenPart}, ${notChecked} not checked (the doctor ran out of time; run it again).`;
}

/** Options preflight takes; every other one is about a call to the broker. */
const PREFLIGHT_OPTIONS = new Set(['cdk-out', 'profile', 'help']);

async function runPreflight(rest: readonly string[], values: Readonly<Record<string, unknown>>, out: Output): Promise<number> {
  if (rest.length > 0) throw new BrokerError('usage', `preflight takes no arguments\n\n${USAGE}`);
  const other = Object.keys(values).filter((key) => !PREFLIGHT_OPTIONS.has(key));
  if (other.length > 0) throw new BrokerError('usage', `preflight takes only --cdk-out and --profile: its accounts and regions are the app's, from cdk.out (not --${other.join(', --')}).`);
  const { preflight } = await import('./preflight');
  const cdkOut = typeof values['cdk-out'] === 'string' ? values['cdk-out'] : undefined;
  const profile = typeof values.profile === 'string' ? values.profile : undefined;
  const checks = await preflight({ ...(cdkOut ? { cdkOut } : {}), ...(profile ? { profile } : {}) });
  for (const line of preflightLines(checks)) out(line);
  return checks.some((c) => c.verdict === 'would fail') ? 1 : 0;
}

/** One line per check, then what it adds up to. */
function preflightLines(checks: readonly PreflightCheck[]): string[] {
  const failing = checks.filter((c) => c.verdict === 'would fail').length;
  const unchecked = checks.filter((c) => c.verdict === 'could not check').length;
  const summary =
    failing > 0
      ? `${failing} of ${checks.length} checks say cdk deploy would fail.`
      : `Nothing found that would fail cdk deploy${unchecked > 0 ? `, but ${unchecked} could not be checked` : ''}.`;
  return [...checks.map((c) => `${c.verdict}: ${c.check}: ${c.detail}`), summary];
}

async function doctor(rest: readonly string[], json: boolean | undefined, options: DoctorOptions, out: Output): Promise<number> {
  if (rest.length > 0) throw new BrokerError('usage', `doctor takes no arguments\n\n${USAGE}`);
  const report = await checkTargets(options);
  if (json) out(JSON.stringify(report, null, 2));
  else for (const line of doctorTable(report)) out(line);
  return report.ok ? 0 : 1;
}

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates. */
function isUnprintable(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/**
 * Writes such characters as `\uXXXX`: the broker never sends them, but whatever answers in its place
 * (a wrong --url) could otherwise move the cursor over the line a person reads, retitle the window or
 * plant a hyperlink in the terminal.
 */
export function printable(line: string): string {
  let safe = '';
  for (const char of line) {
    const code = char.codePointAt(0) ?? 0;
    safe += isUnprintable(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return safe;
}

// Long enough for a browser to start; a sign-in token lives 15 minutes.
const REDIRECT_TIMEOUT_SECONDS = 30;

/**
 * Hands the browser a one-time redirect to the login URL, not the URL itself: the opener and the
 * browser take it as an argument, and any local user can read a process's arguments.
 */
async function openThroughRedirect(loginUrl: string, openUrl: (url: string) => Promise<void>): Promise<void> {
  const redirect = await oneTimeRedirect(loginUrl, REDIRECT_TIMEOUT_SECONDS * 1000);
  try {
    await openUrl(redirect.url);
  } catch (error) {
    redirect.close();
    throw error;
  }
  if (!(await redirect.served)) {
    throw new BrokerError('unreachable', `No browser asked for the console within ${String(REDIRECT_TIMEOUT_SECONDS)} s. Run again, or add --print and open the login URL yourself.`);
  }
}

/** Runs the CLI; returns the exit code. Output goes through `out` and `err` so tests can read it. */
export async function main(argv: readonly string[], rawOut: Output, rawErr: Output, openUrl: (url: string) => Promise<void>): Promise<number> {
  const out: Output = (line) => {
    rawOut(printable(line));
  };
  const err: Output = (line) => {
    rawErr(printable(line));
  };
  try {
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      out(USAGE);
      return 0;
    }
    if (command === undefined) throw new BrokerError('usage', `Name a command.\n\n${USAGE}`);
    const common: BrokerOptions = {
      ...(values.url ? { url: values.url } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values['broker-region'] ? { brokerRegion: values['broker-region'] } : {}),
    };

    if (command === 'preflight') return await runPreflight(rest, values, out);
    if (values['cdk-out']) throw new BrokerError('usage', `--cdk-out is for the preflight command only.\n\n${USAGE}`);
    if (command !== 'doctor' && values['doctor-url']) throw new BrokerError('usage', `--doctor-url is for the doctor command only.\n\n${USAGE}`);
    if (values.groups !== undefined && values.for === undefined) throw new BrokerError('usage', '--groups needs --for: name the person the groups belong to.');
    const person = values.for === undefined ? {} : { person: { email: values.for, groups: values.groups?.split(',') ?? [] } };

    if (command === 'targets') {
      if (rest.length > 0) throw new BrokerError('usage', `targets takes no arguments\n\n${USAGE}`);
      const list = await listConsoleTargets({ ...common, ...person });
      if (values.json) {
        out(JSON.stringify(list, null, 2));
      } else if (list.targets.length === 0) {
        err(`${list.caller} may open no target${list.person === undefined ? '' : ` for ${list.person}`}.`);
      } else {
        const width = Math.max(...list.targets.map((t) => t.name.length));
        for (const t of list.targets) out(`${t.name.padEnd(width)}  ${t.accountId}  ${t.defaultRegion}`);
      }
      return 0;
    }

    if (command === 'login') {
      const [target, ...extra] = rest;
      if (target === undefined || extra.length > 0) throw new BrokerError('usage', `login takes exactly one target\n\n${USAGE}`);
      if (values.print && values.json) throw new BrokerError('usage', 'Give --print or --json, not both.');
      const login = await requestConsoleLogin({
        ...common,
        target,
        ...(values.region ? { region: values.region } : {}),
        ...(values.service ? { service: values.service } : {}),
        ...(values.destination ? { destination: values.destination } : {}),
        ...(values.logout ? { logout: true } : {}),
        ...(values.reason ? { reason: values.reason } : {}),
        ...person,
      });
      if (values.json) {
        out(JSON.stringify(login, null, 2));
      } else if (values.print) {
        out(login.loginUrl);
      } else {
        await openThroughRedirect(login.loginUrl, openUrl);
        const why = login.reason === undefined ? '' : ` (reason: ${login.reason})`;
        err(`Opened ${login.target} (${login.accountId}, ${login.roleArn.split('/').pop() ?? ''}) in ${login.region} as ${login.sessionName}${login.roleSessionName === undefined ? '' : ` (session ${login.roleSessionName})`}${why}; the link works until ${time(login.expiresAt)}.`);
      }
      return 0;
    }
    if (command === 'doctor') {
      // --url names the login URL; the doctor answers at another, and a silent mix-up would only say 404.
      if (values.url) throw new BrokerError('usage', 'doctor runs at the doctor URL: give --doctor-url, not --url.');
      return await doctor(rest, values.json, { ...common, ...(values['doctor-url'] ? { doctorUrl: values['doctor-url'] } : {}) }, out);
    }
    throw new BrokerError('usage', `Unknown command "${command}".\n\n${USAGE}`);
  } catch (error) {
    if (error instanceof BrokerError) {
      err(`console-broker: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

// Run only as the program itself, not when a test imports main().
if (process.argv[1] && /console-broker(\.m?js)?$|cli[/\\]main\.ts$/.test(process.argv[1])) {
  const open = async (url: string): Promise<void> => {
    const { default: openInBrowser } = await import('open');
    await openInBrowser(url);
  };
  main(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`), open).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`console-broker: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
