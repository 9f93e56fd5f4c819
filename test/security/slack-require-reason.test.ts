import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryFor } from '../../lib/broker-stack';
import { testConfig } from '../support/config';
import { SLACK_SECTION, SLACK_TARGETS, signedSlackEvent, slashCommandForm } from '../support/slack';
import { buttonUrl, slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

// The Slack entry once checked the login with resolveLogin before it added the reason, so a target with
// requireReason answered ReasonRequired to every Slack command, even one that gave a reason after --.
const targets = SLACK_TARGETS.map((t) => (t.name === 'prod-billing' ? { ...t, requireReason: true } : t));
const registry = registryFor(testConfig({ slack: SLACK_SECTION, targets }));

describe('the Slack entry and a target that requires a reason', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry({ env: { CONSOLE_BROKER_REGISTRY: JSON.stringify(registry) } });
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('opens it for a command that gives the reason after --', async () => {
    const response = await entry.invoke(await signedSlackEvent(slashCommandForm({ text: 'prod-billing -- INC-1234 invoice question', user_id: 'U0003CAROL' })));
    const line = entry.logLines().at(-1) ?? {};
    expect({ outcome: line.outcome, text: slackMessage(response).text }).toMatchObject({ outcome: 'login' });
    expect(buttonUrl(response)).toBeDefined();
  });

  it('refuses it, in an ephemeral sentence, for a command without a reason', async () => {
    const response = await entry.invoke(await signedSlackEvent(slashCommandForm({ text: 'prod-billing', user_id: 'U0003CAROL' })));
    expect(response.statusCode).toBe(200);
    expect(slackMessage(response).text).toMatch(/requires a reason/);
    expect(buttonUrl(response)).toBeUndefined();
  });
});
