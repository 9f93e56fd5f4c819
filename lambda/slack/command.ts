import { SERVICES } from '../core/destination';
import { badRequest } from '../core/errors';
import { isRegionOf, type Partition } from '../core/partition';

/**
 * The fields of a slash command that the broker reads, from the form Slack posts
 * (https://api.slack.com/interactivity/slash-commands#app_command_handling). `enterprise_id` is there
 * only in an Enterprise Grid organization.
 */
export interface SlashCommand {
  readonly teamId: string;
  readonly enterpriseId: string | undefined;
  readonly userId: string;
  readonly command: string;
  readonly text: string;
}

// Slack's IDs: a letter for the kind (T team, E enterprise, U or W user) and upper-case letters and digits.
const TEAM_ID = /^T[A-Z0-9]{2,31}$/;
const ENTERPRISE_ID = /^E[A-Z0-9]{2,31}$/;
const USER_ID = /^[UW][A-Z0-9]{2,31}$/;
const COMMAND = /^\/[a-z0-9_-]{1,31}$/;
/** Far more than any command a person types; a longer text is not from a person. */
const MAX_TEXT = 1000;

/** Reads the form Slack posted; throws a 400 that names what is missing. */
export function parseSlashCommand(body: string): SlashCommand {
  const form = new URLSearchParams(body);
  const one = (name: string): string | undefined => {
    const values = form.getAll(name);
    if (values.length > 1) throw badRequest(`the slash command gives ${name} more than once`);
    return values[0];
  };
  const teamId = one('team_id') ?? '';
  const enterpriseId = one('enterprise_id') || undefined;
  const userId = one('user_id') ?? '';
  const command = one('command') ?? '';
  const text = one('text') ?? '';
  if (!TEAM_ID.test(teamId)) throw badRequest('the slash command carries no valid team_id');
  if (enterpriseId !== undefined && !ENTERPRISE_ID.test(enterpriseId)) throw badRequest('the slash command carries an invalid enterprise_id');
  if (!USER_ID.test(userId)) throw badRequest('the slash command carries no valid user_id');
  if (!COMMAND.test(command)) throw badRequest('the slash command carries no valid command');
  if (text.length > MAX_TEXT) throw badRequest(`the command's text is longer than ${String(MAX_TEXT)} characters`);
  return { teamId, enterpriseId, userId, command, text };
}

/** What a person asked for with the command's text. */
export type ConsoleCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'list' }
  | { readonly kind: 'open'; readonly target: string; readonly service?: string; readonly region?: string; readonly reason?: string };

/** What separates a reason from the words before it. */
export const REASON_MARK = '--';

/**
 * `<target> [service] [region] [-- reason]`: after the target, each word is a console service or a
 * region of the partition (in either order, at most one of each), and everything after `--` is the
 * reason. Any other word before `--` is an error, so no word can be read two ways: `ec2` is always a
 * service, and a reason that starts with `ec2` must follow `--`.
 */
export function parseConsoleCommand(text: string, partition: Partition, command: string): ConsoleCommand {
  const mark = text.search(/(^|\s)--(\s|$)/);
  const words = (mark < 0 ? text : text.slice(0, mark)).trim().split(/\s+/).filter((word) => word !== '');
  const reasonText = mark < 0 ? undefined : text.slice(mark).trim().slice(REASON_MARK.length).trim();
  const [first, ...rest] = words;
  if (first === undefined) {
    if (reasonText !== undefined) throw badRequest(`name a target before the reason: ${command} <target> -- <reason>`);
    return { kind: 'list' };
  }
  if (first === 'help' && rest.length === 0 && reasonText === undefined) return { kind: 'help' };
  let service: string | undefined;
  let region: string | undefined;
  for (const word of rest) {
    if (Object.hasOwn(SERVICES, word)) {
      if (service !== undefined) throw badRequest(`give one service, not ${service} and ${word}`);
      service = word;
    } else if (isRegionOf(partition, word)) {
      if (region !== undefined) throw badRequest(`give one region, not ${region} and ${word}`);
      region = word;
    } else {
      throw badRequest(
        `"${word.slice(0, 40)}" is neither a console service nor a region; a reason goes after --, as in ${command} ${first} ec2 eu-central-1 -- INC-1234`,
      );
    }
  }
  return { kind: 'open', target: first, service, region, ...(reasonText ? { reason: reasonText } : {}) };
}
