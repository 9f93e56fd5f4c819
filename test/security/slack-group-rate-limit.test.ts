import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupMembers } from '../../lambda/slack/group-members';
import { SlackApiError } from '../../lambda/slack/slack-api';
import { ADMINS_USER_GROUP, signedSlackEvent, slashCommandForm } from '../support/slack';
import { buttonUrl, slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

// Threat: the Slack entry read every mapped user group (usergroups.users.list, Tier 2, about 20 calls a
// minute: https://api.slack.com/apis/rate-limits) for every command and refused the command when one read
// failed, and a failed read was not kept. A member who types `/console` in a loop, or a busy hour, made
// Slack answer 429, and then everyone was refused, also people whom a confirmed e-mail address admits.

const USERGROUPS = 'usergroups.users.list';
const command = async (text: string, user: string): ReturnType<typeof signedSlackEvent> => signedSlackEvent(slashCommandForm({ text, user_id: user }));

describe('the Slack entry while Slack rate-limits user group reads', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry();
    entry.slack.limitedMethods.add(USERGROUPS);
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('opens a target for a person whose e-mail address admits them, without asking for any group', async () => {
    const answer = await entry.invoke(await command('prod-billing', 'U0003CAROL'));

    expect(buttonUrl(answer)).toBeDefined();
    expect(entry.slack.callsTo(USERGROUPS)).toEqual([]);
  });

  it('refuses a person whom only the unread group would admit, saying why, and does not ask Slack again at once', async () => {
    const first = await entry.invoke(await command('prod-readonly', 'U0001ALICE'));
    const second = await entry.invoke(await command('prod-readonly', 'U0001ALICE'));

    expect(slackMessage(first).text).toMatch(new RegExp(`Slack did not tell console-broker who is in a user group of the configuration \\(${ADMINS_USER_GROUP}\\), so it counted you as not in it; try again in a minute`));
    expect(slackMessage(second).text).toBe(slackMessage(first).text);
    // Slack's rate limit is not the broker's failure: no 5xx to page anyone, a DependencyThrottled to graph.
    expect(entry.logLines().at(-1)).toMatchObject({ status: 429, outcome: 'SlackRateLimited', dependency: 'slack', ServerError: 0, DependencyThrottled: 1 });
    // Slack said Retry-After: 30; the second command waited on no call.
    expect(entry.slack.callsTo(USERGROUPS)).toHaveLength(1);
  });

  it('lists what the e-mail address opens, and says that what the unread group opens is missing', async () => {
    const text = slackMessage(await entry.invoke(await command('', 'U0003CAROL'))).text;

    expect(text).toContain('`prod-billing`');
    expect(text).toMatch(/counted you as not in it; try again in a minute: what they open is not listed\./);
  });

  it('answers a target that is not the person\'s as a name that is no target, unread groups and all', async () => {
    const locked = slackMessage(await entry.invoke(await command('locked', 'U0003CAROL'))).text;
    const unknown = slackMessage(await entry.invoke(await command('locke', 'U0003CAROL'))).text;

    expect(locked.replace('locked', 'locke')).toBe(unknown);
  });
});

describe("a user group's members, kept across a failed read", () => {
  it('keeps the members read last when a refresh fails, and asks again only after Retry-After', async () => {
    let now = 0;
    const answers: (() => readonly string[])[] = [
      () => ['U0001ALICE'],
      () => {
        throw new SlackApiError('ratelimited', 30);
      },
      () => [],
    ];
    let reads = 0;
    const members = new GroupMembers(() => Promise.resolve().then(answers[reads++] ?? (() => [])), 60_000, 10_000, () => now);

    expect(await members.get()).toEqual(['U0001ALICE']);
    now = 61_000;
    expect(await members.get()).toEqual(['U0001ALICE']);
    now = 90_000;
    expect(await members.get()).toEqual(['U0001ALICE']);
    expect(reads).toBe(2);
    now = 91_000;
    expect(await members.get()).toEqual([]);
    expect(reads).toBe(3);
  });

  it('has no members before Slack first answers, and shares one read among concurrent requests', async () => {
    let reads = 0;
    const members = new GroupMembers(
      () => {
        reads += 1;
        return Promise.reject(new SlackApiError('timeout'));
      },
      60_000,
      10_000,
    );

    expect(await Promise.all([members.get(), members.get()])).toEqual([undefined, undefined]);
    expect(reads).toBe(1);
  });
});
