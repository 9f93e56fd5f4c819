import { afterEach, describe, expect, it } from 'vitest';
import { signedSlackEvent, slashCommandForm } from './support/slack';
import { slackMessage, startSlackEntry, type SlackEntry } from './support/slack-entry';

// Slack shows its own error when the answer takes more than three seconds, cold start included
// (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt). Each of these is the
// entry's first request after it was loaded, with Slack's users.info slow but within its second.
const BILLING_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerBilling';
const SLACK_ALLOWANCE_MS = 2500;

describe('the Slack entry with AWS hung behind a slow Slack', () => {
  let entry: SlackEntry;

  afterEach(async () => {
    await entry.stop();
  });

  async function firstAnswer(): Promise<{ text: string; elapsedMs: number }> {
    entry.slack.mode = 'slow';
    entry.slack.slowMs = 900;
    entry.aws.stalledRoles.add(BILLING_ROLE);
    const event = await signedSlackEvent(slashCommandForm({ text: 'prod-billing', user_id: 'U0003CAROL' }));
    const started = performance.now();
    const response = await entry.invoke(event);
    return { text: slackMessage(response).text, elapsedMs: performance.now() - started };
  }

  it('answers within the budget that AWS did not answer, having asked STS once', async () => {
    entry = await startSlackEntry();

    const { text, elapsedMs } = await firstAnswer();

    expect(elapsedMs).toBeLessThan(SLACK_ALLOWANCE_MS);
    expect(text).toMatch(/AWS STS did not answer in time/);
    expect(entry.aws.callsTo('sts')).toHaveLength(1);
    expect(entry.slack.callsTo('users.info')).toHaveLength(1);
    expect(entry.logLines().at(-1)).toMatchObject({ entry: 'slack', status: 504, outcome: 'UpstreamTimeout' });
  });

  it('gives every call what is left of one budget: slow Secrets Manager and hung STS, each alone within its timeout, still answer in time', async () => {
    entry = await startSlackEntry();
    // The two Slack secrets are read while the entry loads; the external ID after the person is known.
    entry.aws.secretsDelayMs = 900;

    const { text, elapsedMs } = await firstAnswer();

    expect(elapsedMs).toBeLessThan(SLACK_ALLOWANCE_MS);
    expect(text).toMatch(/did not answer in time/);
    expect(entry.aws.callsTo('secretsmanager').filter((call) => call.params.SecretId === 'console-broker/external-id/prod-billing')).toHaveLength(1);
    expect(entry.aws.callsTo('sts').length).toBeLessThanOrEqual(1);
  });
});
