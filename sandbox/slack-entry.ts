import { readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../lib/config';
import type { FakeAws } from '../test/fakes/aws';
import { LocalFunctionUrl, type FunctionHandler } from '../test/fakes/function-url';
import { FakeSlack, SLACK_BOT_TOKEN } from '../test/fakes/slack';
import { deployedEnvironment, synthesizeBroker } from '../test/support/broker-assembly';
import { bundledHandlerPath } from '../test/support/bundle';
import { TEAM_ID } from '../test/support/slack';
import type { SandboxEntry } from './entry';

/** The sandbox Slack app's signing secret, which `npm run slack-command` signs with; it opens nothing outside this machine. */
export const SANDBOX_SLACK_SIGNING_SECRET = 'sandbox-slack-signing-secret-0123456789';
/** The Slack member the sandbox's commands come from: alice, the same person as the other entries'. */
export const SANDBOX_SLACK_USER = { id: 'U0001ALICE', team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'alice@example.com' } };

export interface SlackEntryOptions {
  readonly aws: FakeAws;
  readonly configPath: string;
  /** The targets alice may open. */
  readonly targets: readonly string[];
  /** 0 picks a free port. */
  readonly port: number;
}

/** The configuration with a Slack entry for the sandbox's workspace, and alice's address among the `allowedEmails` of `targets`. */
function withSlackEntry(configPath: string, targets: readonly string[]): ReturnType<typeof parseConfig> {
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as { targets: { name: string; allowedEmails?: string[] }[] };
  const email = SANDBOX_SLACK_USER.profile.email;
  return parseConfig({
    ...raw,
    slack: { teamIds: [TEAM_ID], emailDomains: ['example.com'] },
    targets: raw.targets.map((target) => (targets.includes(target.name) ? { ...target, allowedEmails: [...new Set([...(target.allowedEmails ?? []), email])] } : target)),
  });
}

/**
 * The Slack entry behind a local function URL with auth type NONE, with Slack's Web API played by
 * test/fakes/slack.ts. The stack is synthesized with a `slack` section and no browser entry, so the
 * answer's button is the login URL itself.
 */
export async function startSlackEntry(options: SlackEntryOptions): Promise<SandboxEntry> {
  const slack = await new FakeSlack().start();
  slack.users.set(SANDBOX_SLACK_USER.id, SANDBOX_SLACK_USER);
  const cdkOut = synthesizeBroker(withSlackEntry(options.configPath, options.targets), 'sandbox-slack-cdk-out-');
  const env = deployedEnvironment(cdkOut, 'SlackFunction');
  const { SLACK_SIGNING_SECRET_ID: signingSecretId, SLACK_BOT_TOKEN_SECRET_ID: botTokenId } = env;
  if (signingSecretId === undefined || botTokenId === undefined) throw new Error('the synthesized Slack entry names no signing secret or bot token');
  // What the operator puts in the two secrets after deploying (README, Set up the Slack app).
  options.aws.secrets.set(signingSecretId, SANDBOX_SLACK_SIGNING_SECRET);
  options.aws.secrets.set(botTokenId, SLACK_BOT_TOKEN);
  for (const [key, value] of Object.entries({ ...env, SLACK_API_URL: slack.url })) process.env[key] = value;
  const { handler } = (await import(pathToFileURL(bundledHandlerPath({ cdkOut, functionId: 'SlackFunction' })).href)) as { handler: FunctionHandler };
  const functionUrl = new LocalFunctionUrl(handler, new Map(), 'NONE');
  const url = await functionUrl.start(options.port);
  return {
    name: 'Slack entry',
    url,
    howToTry: `Post a slash command signed as Slack signs it, as alice (${SANDBOX_SLACK_USER.id}):

npm run --silent slack-command -- --url ${url} prod-readonly ec2 -- trying the sandbox

(no words lists what alice may open; "help" shows the grammar.)`,
    stop: async () => {
      await functionUrl.stop();
      await slack.stop();
      rmSync(cdkOut, { recursive: true, force: true });
    },
  };
}
