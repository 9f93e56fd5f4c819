import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEntry } from '../sandbox/entry';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');

/** Runs the command npm start prints for the Slack entry, with other words, as a newcomer would. */
async function slackCommand(printed: string, words: string): Promise<string> {
  const url = /--url (\S+)/.exec(printed)?.[1] ?? '';
  const { stdout } = await run('npx', ['tsx', 'sandbox/slack-command.ts', '--url', url, ...words.split(' ').filter((w) => w !== '')], { cwd: ROOT });
  return stdout;
}

describe('the sandbox’s Slack entry, as npm start prints it', () => {
  let sandbox: Sandbox;
  let entry: SandboxEntry;

  beforeAll(async () => {
    sandbox = await startSandbox({ browserEntry: false });
    const found = sandbox.entries.find((e) => e.name === 'Slack entry');
    if (!found) throw new Error('the sandbox started no Slack entry');
    entry = found;
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('prints a command that posts a correctly signed slash command and shows the answer with its login URL', async () => {
    // Prepare: the command as printed
    const printed = /npm run --silent slack-command -- (.+)/.exec(entry.howToTry)?.[1] ?? '';
    expect(printed).toContain(`--url ${entry.url}`);

    // Act
    const answer = await slackCommand(printed, printed.replace(/--url \S+/, ''));

    // Assess
    expect(answer).toContain('*Target* `prod-readonly`');
    expect(answer).toContain('*Reason* trying the sandbox');
    const button = /Open console: (\S+)/.exec(answer)?.[1] ?? '';
    expect(button.startsWith(sandbox.aws.federationUrl)).toBe(true);
  });

  it('lists what alice may open, and refuses a target she may not', async () => {
    const printed = /npm run --silent slack-command -- (.+)/.exec(entry.howToTry)?.[1] ?? '';

    expect(await slackCommand(printed, '')).toContain('`prod-readonly`');
    expect(await slackCommand(printed, 'prod-billing')).toMatch(/You may open no target named "prod-billing"/);
  });
});
