import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { signedSlackEvent, slashCommandForm, TEAM_ID } from '../support/slack';
import { slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

/**
 * A Slack workspace admin can change members' profiles, e-mail addresses and user group membership,
 * and create user groups with any name. None of that may open a target the configuration does not
 * grant (README, The Slack entry: threat model).
 */
describe('a Slack workspace admin cannot grant themselves a target', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry();
  });

  afterAll(async () => {
    await entry.stop();
  });

  const open = async (user: string, text = 'prod-billing'): Promise<string> =>
    slackMessage(await entry.invoke(await signedSlackEvent(slashCommandForm({ user_id: user, text })))).text;

  it('by setting their address to an allowed person\'s without confirming it', async () => {
    entry.slack.users.set('U0666MALLORY', { id: 'U0666MALLORY', team_id: TEAM_ID, is_email_confirmed: false, profile: { email: 'carol@example.com' } });

    expect(await open('U0666MALLORY')).toMatch(/You may open no target named "prod-billing"/);
    expect(entry.aws.callsTo('sts')).toEqual([]);
  });

  it('by an address in a domain the configuration does not trust, even confirmed', async () => {
    entry.slack.users.set('U0667MALLORY', { id: 'U0667MALLORY', team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'carol@example.com.evil.test' } });

    expect(await open('U0667MALLORY', '')).toMatch(/is not one console-broker trusts/);
  });

  it('by making a user group named like a broker group: only configured user group IDs count', async () => {
    entry.slack.users.set('U0668MALLORY', { id: 'U0668MALLORY', team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'mallory@example.com' } });
    entry.slack.userGroups.set('S0666ADMINS', ['U0668MALLORY']);

    expect(await open('U0668MALLORY', 'prod-readonly')).toMatch(/You may open no target named "prod-readonly"/);
  });

  it('by a guest, a bot, a deactivated account or a member of another organization', async () => {
    const base = { team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'carol@example.com' } };
    entry.slack.users.set('U0669GUEST', { ...base, id: 'U0669GUEST', is_restricted: true });
    entry.slack.users.set('U0670GUEST', { ...base, id: 'U0670GUEST', is_ultra_restricted: true });
    entry.slack.users.set('U0671BOT', { ...base, id: 'U0671BOT', is_bot: true });
    entry.slack.users.set('U0672GONE', { ...base, id: 'U0672GONE', deleted: true });
    entry.slack.users.set('U0673STRANGER', { ...base, id: 'U0673STRANGER', is_stranger: true });

    expect(await open('U0669GUEST')).toMatch(/guest accounts cannot open a console/);
    expect(await open('U0670GUEST')).toMatch(/guest accounts cannot open a console/);
    expect(await open('U0671BOT')).toMatch(/bots cannot open a console/);
    expect(await open('U0672GONE')).toMatch(/deactivated/);
    expect(await open('U0673STRANGER')).toMatch(/another organization/);
    expect(entry.aws.callsTo('sts')).toEqual([]);
  });

  it('the configuration takes user groups by ID only, never by a name an admin can give any group', () => {
    const config = (userGroups: Record<string, string>): unknown => ({
      accountId: '111111111111',
      region: 'eu-west-1',
      slack: { teamIds: [TEAM_ID], userGroups },
      targets: [{ name: 'prod', accountId: '222222222222', roleName: 'R', allowedGroups: ['admins'] }],
    });

    expect(() => parseConfig(config({ '@admins': 'admins' }))).toThrow(/slack.userGroups keys must be Slack user group IDs such as S0123ABCD \(not names/);
    expect(() => parseConfig(config({ S0001ADMINS: 'admin' }))).toThrow(/slack.userGroups.S0001ADMINS maps to "admin", which no target's allowedGroups names/);
  });
});
