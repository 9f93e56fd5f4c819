import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signedSlackEvent, slashCommandForm, TEAM_ID } from '../support/slack';
import { buttonUrl, slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

// Threat: every signed command asked Slack's users.info about the person, uncached, and asked again while
// Slack answered 429; the 429 became a 503, counted as a server error, which pages the operators. Any
// member, a single-channel guest included, could type /console in a loop, spend the app's users.info
// allowance (Tier 4, per app and workspace: https://docs.slack.dev/apis/web-api/rate-limits) for everyone,
// and page the operators.

const USERS_INFO = 'users.info';
const command = async (text: string, user: string): ReturnType<typeof signedSlackEvent> => signedSlackEvent(slashCommandForm({ text, user_id: user }));

describe("a Slack member spending the app's users.info allowance", () => {
  let entry: SlackEntry;
  let skewMs = 0;

  beforeAll(async () => {
    entry = await startSlackEntry();
    // The clock moves on only when a test says so; commands are signed at the moved time, as Slack would.
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
  });

  afterEach(() => {
    entry.slack.mode = 'ok';
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('costs Slack one users.info call for many commands from one person', async () => {
    for (let i = 0; i < 5; i++) expect(buttonUrl(await entry.invoke(await command('prod-billing', 'U0003CAROL')))).toBeDefined();

    expect(entry.slack.callsTo(USERS_INFO)).toHaveLength(1);
  });

  it('costs Slack one call for a single-channel guest typing in a loop, each command refused', async () => {
    entry.slack.users.set('U0099GUEST', { id: 'U0099GUEST', team_id: TEAM_ID, is_ultra_restricted: true, is_email_confirmed: true, profile: { email: 'carol@example.com' } });

    for (let i = 0; i < 5; i++) expect(slackMessage(await entry.invoke(await command('prod-billing', 'U0099GUEST'))).text).toMatch(/guest accounts cannot open a console/);

    expect(entry.slack.callsTo(USERS_INFO).filter((call) => call.args.user === 'U0099GUEST')).toHaveLength(1);
  });

  it('refuses a person Slack has since deactivated once their entry is old, and asks no more', async () => {
    const alice = entry.slack.users.get('U0001ALICE');
    expect(buttonUrl(await entry.invoke(await command('prod-readonly', 'U0001ALICE')))).toBeDefined();
    if (alice !== undefined) entry.slack.users.set(alice.id, { ...alice, deleted: true });
    skewMs += 5 * 60_000 + 1000;

    const refused = slackMessage(await entry.invoke(await command('prod-readonly', 'U0001ALICE'))).text;
    const again = slackMessage(await entry.invoke(await command('', 'U0001ALICE'))).text;

    expect(refused).toMatch(/your Slack account is deactivated/);
    expect(again).toMatch(/your Slack account is deactivated/);
    expect(entry.slack.callsTo(USERS_INFO).filter((call) => call.args.user === 'U0001ALICE')).toHaveLength(2);
  });

  it("waits out Slack's Retry-After without asking, answers at once, and pages nobody", async () => {
    entry.slack.mode = 'ratelimited';
    entry.slack.retryAfterSeconds = 30;
    const before = entry.slack.callsTo(USERS_INFO).length;

    const first = slackMessage(await entry.invoke(await command('prod-readonly', 'U0002BOB'))).text;
    skewMs += 10_000;
    const second = slackMessage(await entry.invoke(await command('prod-readonly', 'U0004DAVE'))).text;

    expect(first).toMatch(/Slack is rate-limiting console-broker; try again in 30 s\./);
    expect(second).toMatch(/Slack is rate-limiting console-broker; try again in 20 s\./);
    expect(entry.slack.callsTo(USERS_INFO)).toHaveLength(before + 1);
    for (const line of entry.logLines().slice(-2)) {
      expect(line).toMatchObject({ status: 429, outcome: 'SlackRateLimited', dependency: 'slack', ServerError: 0, DependencyThrottled: 1 });
    }

    entry.slack.mode = 'ok';
    skewMs += 21_000;
    expect(slackMessage(await entry.invoke(await command('', 'U0004DAVE'))).text).toMatch(/no e-mail address/);
    expect(entry.slack.callsTo(USERS_INFO)).toHaveLength(before + 2);
  });
});
