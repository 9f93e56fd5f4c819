import { signedSlackEvent, slashCommandForm } from '../test/support/slack';
import { SANDBOX_SLACK_SIGNING_SECRET, SANDBOX_SLACK_USER } from './slack-entry';

/**
 * `npm run slack-command -- --url <the sandbox's Slack entry> [--user <Slack user ID>] [words...]`: posts
 * `/console <words>` to the sandbox's Slack entry, signed as Slack signs it with the sandbox app's
 * signing secret, and prints what Slack would show the person.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const [value] = args.splice(at, 2).slice(1);
    if (value === undefined) throw new Error(`${name} needs a value`);
    return value;
  };
  const url = option('--url');
  const user = option('--user') ?? SANDBOX_SLACK_USER.id;
  if (url === undefined) throw new Error('give the Slack entry with --url, as npm start printed it');
  const body = slashCommandForm({ user_id: user, text: args.join(' ') });
  const event = await signedSlackEvent(body, { secret: SANDBOX_SLACK_SIGNING_SECRET });
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(event.headers['x-slack-request-timestamp']),
      'x-slack-signature': String(event.headers['x-slack-signature']),
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) {
    process.stdout.write(`HTTP ${String(response.status)}: ${text}\n`);
    process.exitCode = 1;
    return;
  }
  const message = JSON.parse(text) as { text: string; blocks?: { type: string; text?: { text: string }; elements?: { url?: string }[] }[] };
  const facts = message.blocks?.find((block) => block.type === 'section')?.text?.text;
  const button = message.blocks?.find((block) => block.type === 'actions')?.elements?.[0]?.url;
  process.stdout.write(`${facts ?? message.text}\n${button === undefined ? '' : `\nOpen console: ${button}\n`}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`slack-command: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
