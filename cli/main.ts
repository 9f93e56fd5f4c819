#!/usr/bin/env node
import { distance } from 'fastest-levenshtein';
import { Argument, Command, CommanderError, Option } from 'commander';
import { version } from '../package.json';
import { openBrowser } from './browser';
import { BrokerError, checkTargets, listConsoleTargets, requestConsoleLogin, type BrokerOptions, type DoctorReport, type PersonOptions } from './client';
import { completionScript, SHELLS, type Shell } from './completion';
import { oneTimeRedirect } from './one-time-redirect';
import type { PreflightCheck } from './preflight';

type Output = (line: string) => void;
type Opener = (url: string) => Promise<void>;

/** What tests may shorten; a person gets the defaults. */
export interface MainSettings {
  /** How long the one-time redirect waits to be asked for. @default 30000, long enough for a browser to start; a sign-in token lives 15 minutes */
  readonly redirectTimeoutMs?: number;
  /** How long after a seemingly good start the CLI prints the link for the person to open. @default 10000 */
  readonly linkAfterMs?: number;
}

/** Exit status when no browser asked for the one-time link in time: nothing was opened. */
export const NOT_OPENED_EXIT = 3;

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

/** Commander's options of one command, as it parsed them. */
interface Flags {
  readonly region?: string;
  readonly service?: string;
  readonly destination?: string;
  readonly logout?: boolean;
  readonly reason?: string;
  readonly for?: string;
  readonly groups?: string;
  readonly print?: boolean;
  readonly json?: boolean;
  readonly url?: string;
  readonly doctorUrl?: string;
  readonly cdkOut?: string;
  readonly profile?: string;
  readonly brokerRegion?: string;
}

/** How to reach and sign for the broker: --url, --profile (else AWS_PROFILE, which the SDK reads), --broker-region. */
function brokerOptions(flags: Flags): BrokerOptions {
  return {
    ...(flags.url ? { url: flags.url } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.brokerRegion ? { brokerRegion: flags.brokerRegion } : {}),
  };
}

function personOf(flags: Flags): { person?: PersonOptions } {
  if (flags.groups !== undefined && flags.for === undefined) throw new BrokerError('usage', '--groups needs --for: name the person the groups belong to.');
  return flags.for === undefined ? {} : { person: { email: flags.for, groups: flags.groups?.split(',') ?? [] } };
}

/** Up to three of `names` nearest to `name`, within a third of its length (at least two edits). */
export function nearestNames(name: string, names: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return names
    .map((candidate) => ({ candidate, edits: distance(name, candidate) }))
    .filter(({ candidate, edits }) => candidate !== name && edits <= limit)
    .sort((a, b) => a.edits - b.edits || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

/**
 * What to do after the broker refused a target: the nearest names among those the caller may open
 * (the broker's own list, so nothing it conceals), else whom to ask, unless the broker said so itself.
 */
async function nextStep(error: BrokerError, target: string, options: BrokerOptions & { person?: PersonOptions }): Promise<string> {
  let yours: string[];
  try {
    yours = (await listConsoleTargets({ ...options, timeoutMs: 5_000 })).targets.map((t) => t.name);
  } catch {
    // Without the list (refused too, as for a group the bot may not vouch for) the refusal stands on its own.
    return error.message;
  }
  // A target that is theirs, or groups a bot vouches for, was refused for another reason: nothing to add.
  if (yours.includes(target) || (options.person?.groups ?? []).length > 0) return error.message;
  const near = nearestNames(target, yours);
  if (near.length > 0) return `${error.message}\nDid you mean ${near.join(' or ')}?`;
  if (/\bAsk\b/.test(error.message)) return error.message;
  return `${error.message}\nAsk the broker's operators to add ${options.person?.email ?? 'you'} to the target.`;
}

function secondsOf(ms: number): string {
  return String(Math.max(1, Math.round(ms / 1000)));
}

/**
 * Hands the browser a one-time redirect to the login URL, not the URL itself: the opener and the
 * browser take it as an argument, and any local user can read a process's arguments. When no browser
 * could be started, or none asks for it soon, it prints that redirect (never the login URL) for the
 * person to open. True once the redirect was served.
 */
async function openThroughRedirect(loginUrl: string, openUrl: Opener, err: Output, settings: MainSettings): Promise<boolean> {
  const timeoutMs = settings.redirectTimeoutMs ?? 30_000;
  const redirect = await oneTimeRedirect(loginUrl, timeoutMs);
  const started = Date.now();
  const offerLink = (why: string): void => {
    err(`${why} Open this one-time link yourself within ${secondsOf(timeoutMs - (Date.now() - started))} s:`);
    err(redirect.url);
  };
  try {
    await openUrl(redirect.url);
  } catch (error) {
    offerLink(`Could not open a browser (${error instanceof Error ? error.message : String(error)}).`);
    return redirect.served;
  }
  let timer: NodeJS.Timeout | undefined;
  const quiet = new Promise<'quiet'>((resolve) => {
    timer = setTimeout(() => {
      resolve('quiet');
    }, settings.linkAfterMs ?? 10_000);
  });
  const first = await Promise.race([redirect.served, quiet]);
  clearTimeout(timer);
  if (first !== 'quiet') return first;
  offerLink('No browser has asked for the link yet.');
  return redirect.served;
}

async function login(target: string | undefined, flags: Flags, openUrl: Opener, out: Output, err: Output, settings: MainSettings): Promise<number> {
  if (target === undefined) throw new BrokerError('usage', 'login takes exactly one target: console-broker login <target>.');
  if (flags.print && flags.json) throw new BrokerError('usage', 'Give --print or --json, not both.');
  const options = { ...brokerOptions(flags), ...personOf(flags) };
  let answer;
  try {
    answer = await requestConsoleLogin({
      ...options,
      target,
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags.service ? { service: flags.service } : {}),
      ...(flags.destination ? { destination: flags.destination } : {}),
      ...(flags.logout ? { logout: true } : {}),
      ...(flags.reason ? { reason: flags.reason } : {}),
    });
  } catch (error) {
    // The broker's own refusals: a target that is not there (404) or not the caller's (403 with its body).
    if (error instanceof BrokerError && (error.kind === 'not-found' || error.kind === 'forbidden')) {
      throw new BrokerError(error.kind, await nextStep(error, target, options), error.status);
    }
    throw error;
  }
  if (flags.json) {
    out(JSON.stringify(answer, null, 2));
    return 0;
  }
  if (flags.print) {
    out(answer.loginUrl);
    return 0;
  }
  if (!(await openThroughRedirect(answer.loginUrl, openUrl, err, settings))) {
    err(`console-broker: Nothing opened the console within ${secondsOf(settings.redirectTimeoutMs ?? 30_000)} s. Run again, or add --print and open the login URL yourself.`);
    return NOT_OPENED_EXIT;
  }
  const why = answer.reason === undefined ? '' : ` (reason: ${answer.reason})`;
  err(
    `Opened ${answer.target} (${answer.accountId}, ${answer.roleArn.split('/').pop() ?? ''}) in ${answer.region} as ${answer.sessionName}${answer.roleSessionName === undefined ? '' : ` (session ${answer.roleSessionName})`}${why}; the link works until ${time(answer.expiresAt)}.`,
  );
  return 0;
}

async function targets(flags: Flags, out: Output, err: Output): Promise<number> {
  const list = await listConsoleTargets({ ...brokerOptions(flags), ...personOf(flags) });
  if (flags.json) {
    out(JSON.stringify(list, null, 2));
  } else if (list.targets.length === 0) {
    err(`${list.caller} may open no target${list.person === undefined ? '' : ` for ${list.person}`}.`);
  } else {
    const width = Math.max(...list.targets.map((t) => t.name.length));
    for (const t of list.targets) out(`${t.name.padEnd(width)}  ${t.accountId}  ${t.defaultRegion}`);
  }
  return 0;
}

async function doctor(flags: Flags, out: Output): Promise<number> {
  // --url names the login URL; the doctor answers at another, and a silent mix-up would only say 404.
  if (flags.url) throw new BrokerError('usage', 'doctor runs at the doctor URL: give --doctor-url, not --url.');
  const report = await checkTargets({ ...brokerOptions(flags), ...(flags.doctorUrl ? { doctorUrl: flags.doctorUrl } : {}) });
  if (flags.json) out(JSON.stringify(report, null, 2));
  else for (const line of doctorTable(report)) out(line);
  return report.ok ? 0 : 1;
}

async function runPreflight(flags: Flags, out: Output): Promise<number> {
  const misplaced = (['url', 'doctorUrl', 'brokerRegion'] as const).filter((key) => flags[key] !== undefined);
  if (misplaced.length > 0) {
    const names = misplaced.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new BrokerError('usage', `preflight takes only --cdk-out and --profile: its accounts and regions are the app's, from cdk.out (not ${names.join(', ')}).`);
  }
  const { preflight } = await import('./preflight');
  const checks = await preflight({ ...(flags.cdkOut ? { cdkOut: flags.cdkOut } : {}), ...(flags.profile ? { profile: flags.profile } : {}) });
  for (const line of preflightLines(checks)) out(line);
  return checks.some((c) => c.verdict === 'would fail') ? 1 : 0;
}

/** For the completion scripts: the caller's target names, one a line, and nothing at all on any error. */
async function completeTargets(flags: Flags, out: Output): Promise<number> {
  try {
    const list = await listConsoleTargets({ ...brokerOptions(flags), timeoutMs: 3_000 });
    for (const t of list.targets) out(t.name);
  } catch {
    // A completion that fails completes nothing; it must not write into the person's command line.
  }
  return 0;
}

const BROKER_URL_HELP = "the broker's function URL (else CONSOLE_BROKER_URL, else the ConsoleBroker stack's LoginUrl output)";
const PROFILE_HELP = 'an AWS shared config profile to sign with (else AWS_PROFILE, else the standard credential chain)';
const BROKER_REGION_HELP = "the broker's region, to sign for and to find its stack (else from the URL, else AWS_REGION)";

/** Options that belong to another command: accepted, hidden, and refused with a sentence that says where they go. */
function misplaced(command: Command, flag: string, message: string): void {
  command.addOption(new Option(flag).hideHelp());
  const key = flag.replace(/^--/, '').split(' ')[0] ?? '';
  const camel = key.replace(/-([a-z])/g, (_match, c: string) => c.toUpperCase());
  command.hook('preAction', (self) => {
    if (self.opts<Record<string, unknown>>()[camel] !== undefined) throw new BrokerError('usage', message);
  });
}

const CDK_OUT_ELSEWHERE = '--cdk-out is for the preflight command only.';
const DOCTOR_URL_ELSEWHERE = '--doctor-url is for the doctor command only.';

/** The CLI's commands; each action reports its exit code through `done`. */
function program(out: Output, err: Output, openUrl: Opener, settings: MainSettings, done: (code: number) => void): Command {
  const cli = new Command('console-broker')
    .description('Open the AWS console of another account through the console broker.')
    .version(version, '-v, --version', 'the version of this CLI')
    .helpOption('-h, --help', 'help for a command')
    .helpCommand('help [command]', 'help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        out(text.replace(/\n$/, ''));
      },
      writeErr: (text) => {
        err(text.replace(/\n$/, ''));
      },
      outputError: (text, write) => {
        write(text.replace(/^error: /, 'console-broker: '));
      },
    })
    .showHelpAfterError('Run "console-broker help" for the commands, "console-broker help <command>" for its options.');

  const withBroker = (command: Command): Command =>
    command
      .addOption(new Option('--url <url>', BROKER_URL_HELP))
      .addOption(new Option('--profile <name>', PROFILE_HELP))
      .addOption(new Option('--broker-region <region>', BROKER_REGION_HELP));
  const person = (command: Command): Command =>
    command
      .addOption(new Option('--for <email>', '(for bots the broker trusts as delegators) the person the caller acts for, by e-mail address'))
      .addOption(new Option('--groups <g1,g2>', 'with --for, the groups the bot may vouch the person is in'));

  const loginCommand = withBroker(
    person(
      cli
        .command('login')
        .description('Open the console of a target in your browser.')
        .addArgument(new Argument('[target]', 'the target to open (see console-broker targets)'))
        .usage('<target> [options]')
        .addOption(new Option('--region <region>', "the console's region (else the target's default region)"))
        .addOption(new Option('--service <service>', 'a console shortcut such as ec2 or iam'))
        .addOption(new Option('--destination <path>', 'a console path or URL on the console host'))
        .addOption(new Option('--logout', 'sign the browser out of its current console session first'))
        .addOption(new Option('--reason <text>', 'why: a ticket ID or a sentence; the broker logs it, and some targets require it'))
        .addOption(new Option('--print', 'print the login URL instead of opening it (it signs in whoever opens it, for 15 minutes)'))
        .addOption(new Option('--json', "print the broker's whole answer instead of opening it")),
    ),
  );
  loginCommand
    .addHelpText(
      'after',
      `
login opens the console through a one-time redirect on 127.0.0.1, so that the login URL appears in no
process's arguments. It runs the commands BROWSER names (separated by colons; %s stands for the
address, else it comes last), else the system's opener (xdg-open, open). When no browser could be
started, or none asks within 10 s, it prints the one-time link for you to open on this machine, and
exits 3 if nobody opens it within 30 s.
--for names the person a delegator bot acts for: the broker authorizes that person and names the
console session after them.

Examples:
  console-broker login prod-readonly
  console-broker login prod-readonly --service ec2 --region eu-central-1
  console-broker login prod-billing --reason INC-4711 --profile sso-admin`,
    )
    .action(async (target: string | undefined, flags: Flags) => {
      done(await login(target, flags, openUrl, out, err, settings));
    });
  misplaced(loginCommand, '--doctor-url <url>', DOCTOR_URL_ELSEWHERE);
  misplaced(loginCommand, '--cdk-out <dir>', CDK_OUT_ELSEWHERE);

  const targetsCommand = withBroker(
    person(
      cli
        .command('targets')
        .description('List the targets you may open, as the broker sees it.')
        .addOption(new Option('--json', 'print the list for machines')),
    ),
  ).action(async (flags: Flags) => {
    done(await targets(flags, out, err));
  });
  misplaced(targetsCommand, '--doctor-url <url>', DOCTOR_URL_ELSEWHERE);
  misplaced(targetsCommand, '--cdk-out <dir>', CDK_OUT_ELSEWHERE);

  const doctorCommand = cli
    .command('doctor')
    .description("(for the broker's operators) Check that every target can be opened, and say what is wrong with each broken one.")
    .addOption(new Option('--doctor-url <url>', "the doctor's function URL (else CONSOLE_BROKER_DOCTOR_URL, else the ConsoleBroker stack's DoctorUrl output)"))
    .addOption(new Option('--profile <name>', PROFILE_HELP))
    .addOption(new Option('--broker-region <region>', BROKER_REGION_HELP))
    .addOption(new Option('--json', 'print the report for machines'))
    .addOption(new Option('--url <url>').hideHelp())
    .addHelpText(
      'after',
      `
doctor reads every target's external ID and assumes its role as a login would, in a function of its
own, prints a table and what to do about each broken target, and exits 1 when any is broken.`,
    )
    .action(async (flags: Flags) => {
      done(await doctor(flags, out));
    });
  misplaced(doctorCommand, '--cdk-out <dir>', CDK_OUT_ELSEWHERE);

  cli
    .command('preflight')
    .description('(before cdk deploy) Say what would make the deploy fail, with read-only calls.')
    .addOption(new Option('--cdk-out <dir>', 'the cloud assembly cdk synth wrote').default('cdk.out'))
    .addOption(new Option('--profile <name>', PROFILE_HELP))
    .addOption(new Option('--url <url>').hideHelp())
    .addOption(new Option('--doctor-url <url>').hideHelp())
    .addOption(new Option('--broker-region <region>').hideHelp())
    .addHelpText(
      'after',
      `
preflight reads what cdk synth wrote and, with your own credentials, checks the broker account's
Lambda concurrency against what the configuration reserves, the CDK bootstrap version in every account
and region the app deploys to, and secret names already taken. One line per check; it exits 1 when
something would fail.`,
    )
    .action(async (flags: Flags) => {
      done(await runPreflight(flags, out));
    });

  cli
    .command('completion')
    .description('Print a shell completion script (target names included, asked of the broker).')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  bash:  source <(console-broker completion bash)        (or add that line to ~/.bashrc)
  zsh:   console-broker completion zsh > "\${fpath[1]}/_console-broker"
  fish:  console-broker completion fish > ~/.config/fish/completions/console-broker.fish`,
    )
    .action((shell: Shell) => {
      out(completionScript(shell, cli).replace(/\n$/, ''));
      done(0);
    });

  withBroker(cli.command('__complete', { hidden: true }).addArgument(new Argument('<what>').choices(['targets']))).action(async (_what: string, flags: Flags) => {
    done(await completeTargets(flags, out));
  });

  // After a usage error, where to read the command's options.
  for (const command of cli.commands) command.showHelpAfterError(`Run "console-broker help ${command.name()}" for its options.`);
  return cli;
}

/** Runs the CLI; returns the exit code. Output goes through `out` and `err` so tests can read it. */
export async function main(argv: readonly string[], rawOut: Output, rawErr: Output, openUrl: Opener, settings: MainSettings = {}): Promise<number> {
  const out: Output = (line) => {
    rawOut(printable(line));
  };
  const err: Output = (line) => {
    rawErr(printable(line));
  };
  let code = 0;
  try {
    await program(out, err, openUrl, settings, (exit) => {
      code = exit;
    }).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    // Help and --version end in a CommanderError too, with exit code 0; any other is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof BrokerError) {
      err(`console-broker: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

// Run only as the program itself, not when a test imports main().
if (process.argv[1] && /console-broker(\.m?js)?$|cli[/\\]main\.ts$/.test(process.argv[1])) {
  main(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
    (url) => openBrowser(url),
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`console-broker: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
