import type { SlackUser } from './slack-api';

/** What the people rules read of a users.info answer (lambda/slack/person.ts): all that is kept. */
function kept(user: SlackUser): SlackUser {
  const { id, team_id, deleted, is_bot, is_app_user, is_restricted, is_ultra_restricted, is_stranger, is_email_confirmed } = user;
  const enterpriseId = user.enterprise_user?.enterprise_id;
  const email = user.profile?.email;
  return {
    id,
    ...(team_id === undefined ? {} : { team_id }),
    ...(deleted === undefined ? {} : { deleted }),
    ...(is_bot === undefined ? {} : { is_bot }),
    ...(is_app_user === undefined ? {} : { is_app_user }),
    ...(is_restricted === undefined ? {} : { is_restricted }),
    ...(is_ultra_restricted === undefined ? {} : { is_ultra_restricted }),
    ...(is_stranger === undefined ? {} : { is_stranger }),
    ...(is_email_confirmed === undefined ? {} : { is_email_confirmed }),
    ...(enterpriseId === undefined ? {} : { enterprise_user: { enterprise_id: enterpriseId } }),
    profile: email === undefined ? {} : { email },
  };
}

/**
 * Slack users as users.info last described them, by workspace and user ID, for `maxAgeMs`: a person who
 * types commands in a row costs Slack one call, so no member, guests included, can spend the app's
 * users.info allowance for everyone (https://docs.slack.dev/apis/web-api/rate-limits). The people rules
 * decide afresh from the answer each time; an answer that says the account is deactivated or a guest
 * takes the place of the one before, so the person opens nothing from then on, and a refused one is
 * refused for the same time without asking again. A user Slack does not find is not kept. At most
 * `maxEntries` are kept, the one read from Slack longest ago leaving first.
 */
export class SlackUsers {
  private readonly entries = new Map<string, { readonly user: SlackUser; readonly readAt: number }>();

  constructor(
    private readonly read: (userId: string) => Promise<SlackUser>,
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async get(teamId: string, userId: string): Promise<SlackUser> {
    const key = `${teamId}/${userId}`;
    const entry = this.entries.get(key);
    if (entry !== undefined && this.now() - entry.readAt < this.maxAgeMs) return entry.user;
    this.entries.delete(key);
    const user = kept(await this.read(userId));
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { user, readAt: this.now() });
    return user;
  }
}
