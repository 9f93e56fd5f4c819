import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMINS_USER_GROUP, signedSlackEvent, slashCommandForm, TEAM_ID } from '../support/slack';
import { buttonUrl, startSlackEntry, type SlackEntry } from '../support/slack-entry';

// Threat: the Slack access log's caller was `<profile e-mail> (Slack …)` whether or not Slack confirmed
// the address. A member of a mapped user group (mallory) who types carol's address into her own profile,
// which needs no confirmation, had every console she opened, and every refusal, logged as carol's, while
// the session name (CloudTrail) rightly used her Slack IDs.

describe('the Slack access log for a person whose address Slack never confirmed', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry();
    entry.slack.users.set('U0005MALLORY', { id: 'U0005MALLORY', team_id: TEAM_ID, is_email_confirmed: false, profile: { email: 'carol@example.com' } });
    entry.slack.userGroups.set(ADMINS_USER_GROUP, ['U0001ALICE', 'U0005MALLORY']);
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('names her by her Slack IDs, as CloudTrail does, not by the address she typed', async () => {
    const answer = await entry.invoke(await signedSlackEvent(slashCommandForm({ user_id: 'U0005MALLORY', user_name: 'mallory', text: 'prod-readonly' })));
    expect(buttonUrl(answer)).toBeDefined(); // the admins group admits her

    const line = entry.logLines().filter((l) => l.entry === 'slack').at(-1) ?? {};
    expect(line.caller).toBe(`Slack ${TEAM_ID}/U0005MALLORY`);
    expect(String(line.sessionName)).not.toContain('carol');
  });

  it('names a person by the address that counts for them (confirmed, in a listed domain)', async () => {
    await entry.invoke(await signedSlackEvent(slashCommandForm({ user_id: 'U0003CAROL', user_name: 'carol', text: 'prod-billing' })));

    expect(entry.logLines().filter((l) => l.entry === 'slack').at(-1)?.caller).toBe(`carol@example.com (Slack ${TEAM_ID}/U0003CAROL)`);
  });
});
