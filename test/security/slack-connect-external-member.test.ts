import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_ID, signedSlackEvent, slashCommandForm, TEAM_ID } from '../support/slack';
import { buttonUrl, slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

// Threat: the broker checked only the command's team_id, the workspace the command was typed in, and
// is_stranger. A member of a partner organization in a Slack Connect channel with our workspace is not a
// stranger there (is_stranger is false for external members in a channel the app shares:
// https://api.slack.com/types/user), and their own workspace's admin can set and confirm any address,
// carol@example.com included. Typing /console in the shared channel opened carol's targets.

describe('a member of another organization, through a Slack Connect channel', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry();
    entry.slack.users.set('U0900PARTNER', { id: 'U0900PARTNER', team_id: 'T0900PARTNER', is_stranger: false, is_email_confirmed: true, profile: { email: 'carol@example.com' } });
    entry.slack.users.set('U0901GRID', { id: 'U0901GRID', team_id: 'T0901OTHERWS', enterprise_user: { enterprise_id: ENTERPRISE_ID }, is_email_confirmed: true, profile: { email: 'carol@example.com' } });
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('opens nothing, although the command came through a workspace the configuration names', async () => {
    const answer = await entry.invoke(await signedSlackEvent(slashCommandForm({ team_id: TEAM_ID, user_id: 'U0900PARTNER', text: 'prod-billing' })));

    expect(buttonUrl(answer)).toBeUndefined();
    expect(slackMessage(answer).text).toMatch(/members of another workspace or organization cannot open a console here/);
    expect(entry.aws.callsTo('sts')).toEqual([]);
  });

  it('is told apart from a member of another workspace of an Enterprise Grid organization the configuration names', async () => {
    const answer = await entry.invoke(await signedSlackEvent(slashCommandForm({ team_id: TEAM_ID, user_id: 'U0901GRID', text: 'prod-billing' })));

    expect(buttonUrl(answer)).toBeDefined();
  });
});
