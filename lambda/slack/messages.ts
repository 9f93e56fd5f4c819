import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError } from '../core/errors';
import { COMMON_HEADERS } from '../core/response';
import type { Target } from '../core/registry';
import { SERVICES } from '../core/destination';

/**
 * The broker's answers in Slack: always HTTP 200 with an `ephemeral` message, which only the person who
 * typed the command sees (https://api.slack.com/interactivity/slash-commands#responding_to_commands).
 * Any other status makes Slack show its own error instead of the sentence.
 */

type Block = Record<string, unknown>;

/** Slack escapes only these three in mrkdwn text: https://api.slack.com/reference/surfaces/formatting#escaping */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const mrkdwn = (text: string): Block => ({ type: 'mrkdwn', text });
const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });

export function ephemeral(text: string, blocks?: readonly Block[]): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/json' },
    // No preview of any link: Slack would fetch it, and a login URL is a bearer credential.
    // https://api.slack.com/reference/messaging/link-unfurling#no_unfurling_please
    body: JSON.stringify({ response_type: 'ephemeral', text, ...(blocks ? { blocks } : {}), unfurl_links: false, unfurl_media: false }),
  };
}

/** A refusal: one sentence, seen only by the person. */
export function refusal(message: string): APIGatewayProxyStructuredResultV2 {
  return ephemeral(`:no_entry: ${escapeMrkdwn(message)}${/[.!?]$/.test(message) ? '' : '.'}`);
}

/** A Block Kit button's `url` holds at most 3000 characters: https://docs.slack.dev/reference/block-kit/block-elements/button-element */
export const MAX_BUTTON_URL = 3000;

export interface ConsoleAnswer {
  readonly target: Target;
  readonly region: string;
  readonly url: string;
  readonly buttonText: string;
  /** When the URL stops working, or what opening it asks of the person. */
  readonly validity: string;
  readonly reason?: string;
}

/** Target, account, region, how long it works, and a button that opens it. */
export function consoleAnswer(answer: ConsoleAnswer): APIGatewayProxyStructuredResultV2 {
  const { target } = answer;
  const facts = [
    `*Target* \`${escapeMrkdwn(target.name)}\`${target.production ? ' :red_circle: production' : ''}`,
    `*Account* ${target.accountId}`,
    `*Region* ${answer.region}`,
    ...(answer.reason === undefined ? [] : [`*Reason* ${escapeMrkdwn(answer.reason)}`]),
    answer.validity,
  ];
  const text = `Console for ${target.name} (${target.accountId}) in ${answer.region}`;
  if (answer.url.length > MAX_BUTTON_URL) {
    // Never as message text instead, where a bearer URL is copied, forwarded and quoted more easily.
    throw new HttpError(
      502,
      'LoginUrlTooLong',
      `the login URL for ${target.name} is longer than a Slack button takes (${String(MAX_BUTTON_URL)} characters), and console-broker does not put one in a message; open it with the console-broker CLI or the browser entry`,
    );
  }
  return ephemeral(text, [
    section(facts.join('\n')),
    { type: 'actions', elements: [{ type: 'button', action_id: 'open-console', text: { type: 'plain_text', text: answer.buttonText }, url: answer.url, style: 'primary' }] },
  ]);
}

/** `/console` alone: the targets the person may open, and a note on what may be missing. */
export function targetList(command: string, targets: readonly Target[], note?: string): APIGatewayProxyStructuredResultV2 {
  const lines = targets.map((t) => `• \`${escapeMrkdwn(t.name)}\` ${t.accountId} · ${t.defaultRegion}${t.description ? ` — ${escapeMrkdwn(t.description)}` : ''}`);
  const list = `Targets you may open (${String(targets.length)}); \`${command} <target>\` opens one, \`${command} help\` says more:\n${lines.join('\n')}`;
  return ephemeral(note === undefined ? list : `${list}\n${escapeMrkdwn(note)}`);
}

export function help(command: string): APIGatewayProxyStructuredResultV2 {
  return ephemeral(
    [
      `*${command}* opens the AWS console of a target, for you alone:`,
      `• \`${command}\` lists the targets you may open`,
      `• \`${command} <target> [service] [region] [-- reason]\`, such as \`${command} prod-readonly ec2 eu-central-1 -- INC-1234 disk alarm\``,
      `• service is one of ${Object.keys(SERVICES).join(', ')}; region is an AWS region; both are optional, in either order`,
      '• everything after `--` is the reason, recorded in the access log',
      `• \`${command} help\` shows this`,
    ].join('\n'),
  );
}
