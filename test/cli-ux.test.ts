import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { version } from '../package.json';
import { openBrowser } from '../cli/browser';
import { main, NOT_OPENED_EXIT } from '../cli/main';
import { CLI, cli, type Run } from './support/cli';

// The issue: "The CLI says 'Opened' when nothing opened." These run the built CLI against a broker on
// this machine that answers what the IAM entry answers (lambda/core/request.ts): a login, the caller's
// targets, a 404 for a name that is no target and a 403 for one that is not theirs.

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIACLIUXTEST0000000', AWS_SECRET_ACCESS_KEY: 'cli-ux-test-secret' };
const LOGIN_URL = `https://signin.aws.amazon.com/federation?${new URLSearchParams({
  Action: 'login',
  Issuer: 'https://console.aws.amazon.com/',
  Destination: 'https://console.aws.amazon.com/console/home?region=eu-west-1',
  SigninToken: 'sign-in-token',
}).toString()}`;
const YOURS = ['prod-readonly', 'customer-acme'];
const CONTACT_REFUSAL = 'arn:aws:sts::111111111111:assumed-role/dev/alice is not allowed to open target "prod-admin". Ask #cloud-access in Slack for access';

const LINK_LINE = /^Could not open a browser \((.+)\)\. Open this one-time link yourself within 30 s:$/;
const ONE_TIME_LINK = /^http:\/\/127\.0\.0\.1:\d+\/[\w-]{43}$/;

function fakeBroker(): Server {
  return createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (name === 'targets') json(200, { caller: 'alice', targets: YOURS.map((t) => ({ name: t, accountId: '222222222222', defaultRegion: 'eu-west-1' })) });
    else if (name === 'prod-admin') json(403, { error: { status: 403, code: 'Forbidden', message: CONTACT_REFUSAL } });
    else if (name === 'staging') json(403, { error: { status: 403, code: 'Forbidden', message: 'alice is not allowed to open target "staging"' } });
    else if (!YOURS.includes(name)) json(404, { error: { status: 404, code: 'NotFound', message: `no target named "${name}"; targets you may open: ${YOURS.join(', ')}` } });
    else {
      json(200, {
        loginUrl: LOGIN_URL,
        expiresAt: new Date().toISOString(),
        target: name,
        accountId: '222222222222',
        roleArn: 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly',
        region: 'eu-west-1',
        sessionName: 'alice',
      });
    }
  });
}

/** Runs the built CLI and, once it prints a one-time link on stderr, opens it as a person would. */
function loginOpeningTheLink(args: string[], env: Record<string, string>): Promise<Run & { redirect?: { status: number; location: string | null } }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { HOME: mkdtempSync(path.join(tmpdir(), 'cli-home-')), AWS_EC2_METADATA_DISABLED: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    let redirect: { status: number; location: string | null } | undefined;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const link = stderr.split('\n').find((line) => ONE_TIME_LINK.test(line));
      if (link && !redirect) {
        redirect = { status: 0, location: null };
        void fetch(link, { redirect: 'manual' }).then((response) => {
          redirect = { status: response.status, location: response.headers.get('location') };
        });
      }
    });
    const killer = setTimeout(() => child.kill(), 20_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? 1, stdout, stderr, ...(redirect ? { redirect } : {}) });
    });
  });
}

describe('console-broker login tells the truth about the browser', () => {
  let broker: Server;
  let url = '';
  let dir = '';

  beforeAll(async () => {
    broker = fakeBroker();
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((broker.address() as AddressInfo).port)}/`;
    dir = mkdtempSync(path.join(tmpdir(), 'cli-ux-'));
  });

  afterAll(async () => {
    broker.closeAllConnections();
    await new Promise((resolve) => broker.close(resolve));
  });

  it('runs the command BROWSER names with the one-time link, and says Opened once the browser asked for it', async () => {
    // Prepare: a browser that fetches what it is given, as a real one does, then exits 0.
    const browser = path.join(dir, 'fetching-browser.mjs');
    writeFileSync(browser, "await fetch(process.argv[2], { redirect: 'manual' });\n");

    // Act: BROWSER is a command with an argument of its own; the address comes last.
    const { code, stderr } = await cli(['login', 'prod-readonly', '--url', url], { ...KEYS, BROWSER: `${process.execPath} ${browser}` });

    // Assess
    expect(stderr).toMatch(/^Opened prod-readonly \(222222222222, ConsoleBrokerReadOnly\) in eu-west-1 as alice; the link works until /);
    expect(code).toBe(0);
  });

  it('prints the one-time link, not the login URL, when the BROWSER command fails, and says Opened once someone opened it', async () => {
    const { code, stderr, redirect } = await loginOpeningTheLink(['login', 'prod-readonly', '--url', url], { ...KEYS, PATH: process.env.PATH ?? '', BROWSER: 'false' });

    const [first, second, third] = stderr.split('\n');
    expect(first).toMatch(LINK_LINE);
    expect(LINK_LINE.exec(first ?? '')?.[1]).toBe('BROWSER: false exited with status 1');
    expect(second).toMatch(ONE_TIME_LINK);
    expect(stderr).not.toContain('SigninToken');
    expect(redirect).toEqual({ status: 302, location: LOGIN_URL });
    expect(third).toMatch(/^Opened prod-readonly /);
    expect(code).toBe(0);
  });

  it('prints the one-time link when there is no desktop and no BROWSER: the system opener finds nothing to run', async () => {
    // No DISPLAY, WAYLAND_DISPLAY or BROWSER: xdg-open is missing or fails, or it runs a text browser
    // (lynx, w3m) with no terminal that exits 0 without asking: 10 s later the link is printed all the same.
    const { code, stderr, redirect } = await loginOpeningTheLink(['login', 'prod-readonly', '--url', url], { ...KEYS, PATH: '/usr/bin:/bin' });

    expect(stderr.split('\n')[0]).toMatch(/^(Could not open a browser \(xdg-open(: not found| exited with status \d+)\)|No browser has asked for the link yet)\. Open this one-time link yourself within \d+ s:$/);
    expect(stderr.split('\n')[1]).toMatch(ONE_TIME_LINK);
    expect(redirect).toEqual({ status: 302, location: LOGIN_URL });
    expect(code).toBe(0);
  });

  it('exits 3, without saying Opened, when nobody opened the link in time', async () => {
    const err: string[] = [];
    for (const [key, value] of Object.entries(KEYS)) vi.stubEnv(key, value);

    const code = await main(['login', 'prod-readonly', '--url', url], () => undefined, (line) => err.push(line), (address) => openBrowser(address, { BROWSER: 'false' }), { redirectTimeoutMs: 1_000 });

    expect(code).toBe(NOT_OPENED_EXIT);
    expect(err.join('\n')).not.toMatch(/Opened/);
    expect(err.at(-1)).toBe('console-broker: Nothing opened the console within 1 s. Run again, or add --print and open the login URL yourself.');
    vi.unstubAllEnvs();
  });
});

describe('console-broker follows the conventions of aws-vault, granted and gh', () => {
  let broker: Server;
  let url = '';

  beforeAll(async () => {
    broker = fakeBroker();
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((broker.address() as AddressInfo).port)}/`;
  });

  afterAll(async () => {
    broker.closeAllConnections();
    await new Promise((resolve) => broker.close(resolve));
  });

  it('prints its version, and help per command both ways', async () => {
    const [versionRun, flagHelp, commandHelp] = await Promise.all([cli(['--version']), cli(['login', '--help']), cli(['help', 'login'])]);

    expect(versionRun).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(flagHelp.code).toBe(0);
    expect(flagHelp.stdout).toMatch(/^Usage: console-broker login <target> \[options\]/);
    expect(flagHelp.stdout).toContain('--reason <text>');
    expect(commandHelp).toEqual(flagHelp);
  });

  it('suggests the nearest command and option, and exits 2', async () => {
    const [command, option] = await Promise.all([cli(['logn', 'prod-readonly']), cli(['login', 'prod-readonly', '--reasn', 'INC-1'])]);

    expect(command.code).toBe(2);
    expect(command.stderr).toContain("console-broker: unknown command 'logn'\n(Did you mean login?)");
    expect(option.code).toBe(2);
    expect(option.stderr).toBe(`console-broker: unknown option '--reasn'\n(Did you mean --reason?)\nRun "console-broker help login" for its options.\n`);
  });

  it('suggests the nearest of your targets for a name the broker does not know', async () => {
    const { code, stderr } = await cli(['login', 'prod-reaodnly', '--url', url], KEYS);

    expect(code).toBe(1);
    expect(stderr).toBe('console-broker: Unknown target: no target named "prod-reaodnly"; targets you may open: prod-readonly, customer-acme.\nDid you mean prod-readonly?\n');
  });

  it("prints the broker's refusal as it is when it says whom to ask, and says whom to ask when it does not", async () => {
    const [withContact, without] = await Promise.all([cli(['login', 'prod-admin', '--url', url], KEYS), cli(['login', 'staging', '--url', url], KEYS)]);

    expect(withContact).toMatchObject({ code: 1, stderr: `console-broker: Not allowed: ${CONTACT_REFUSAL}.\n` });
    expect(without).toMatchObject({ code: 1, stderr: `console-broker: Not allowed: alice is not allowed to open target "staging".\nAsk the broker's operators to add you to the target.\n` });
  });
});

describe('console-broker completion', () => {
  let broker: Server;
  let url = '';
  let bin = '';

  beforeAll(async () => {
    broker = fakeBroker();
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((broker.address() as AddressInfo).port)}/`;
    // The command the scripts call back, as an installed console-broker would be on PATH.
    bin = mkdtempSync(path.join(tmpdir(), 'cli-completion-'));
    writeFileSync(path.join(bin, 'console-broker'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
    chmodSync(path.join(bin, 'console-broker'), 0o755);
  });

  afterAll(async () => {
    broker.closeAllConnections();
    await new Promise((resolve) => broker.close(resolve));
  });

  /** Runs `script` in `shell` with the completion loaded from the CLI itself. */
  function inShell(shell: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(shell, args, { env: { ...KEYS, PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: bin, AWS_EC2_METADATA_DISABLED: 'true' }, timeout: 30_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${shell}: ${stderr || error.message}`));
        else resolve(stdout);
      });
    });
  }

  it('bash completes commands, the flags of a command, and your target names asked of the broker with --url', async () => {
    const script = `source <(console-broker completion bash)
show() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _console_broker; echo "\${COMPREPLY[*]}"; }
show console-broker lo
show console-broker login --re
show console-broker login --url ${url} pr
show console-broker login --url ${url} prod-readonly ''
show console-broker completion ''`;

    const lines = (await inShell('bash', ['-c', script])).split('\n');

    expect(lines.slice(0, 5)).toEqual(['login', '--region --reason', 'prod-readonly', '', 'bash zsh fish']);
  });

  it('fish completes the same, through complete -C as the shell itself does', async () => {
    const script = `console-broker completion fish | source
complete -C 'console-broker lo'
complete -C 'console-broker login --url ${url} pr'`;

    const lines = (await inShell('fish', ['-c', script])).trim().split('\n');

    expect(lines).toEqual(['login\tOpen the console of a target in your browser.', 'prod-readonly\ttarget']);
  });

  it('zsh loads the script and its target function asks the broker', async () => {
    // Completion proper needs zle; the target function is called as _arguments would, with compadd recorded.
    const script = `autoload -U compinit && compinit -u -d ${bin}/zcompdump
source <(console-broker completion zsh)
compadd() { [[ $1 == -a ]] && print -l -- \${(P)2} }
words=(console-broker login --url ${url} '') CURRENT=5 console_broker_program=console-broker
_console_broker_targets`;

    expect((await inShell('zsh', ['-c', script])).trim().split('\n')).toEqual(YOURS);
  });

  it('__complete targets prints nothing at all when the broker cannot be asked', async () => {
    const { code, stdout, stderr } = await cli(['__complete', 'targets', '--url', 'http://127.0.0.1:1/'], KEYS);

    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
