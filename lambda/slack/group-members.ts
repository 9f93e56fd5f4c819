import { SlackApiError } from './slack-api';

/**
 * A Slack user group's members, read again once older than `maxAgeMs`. A failed read keeps the members
 * read last, so a rate limit or a slow Slack does not take away everyone's groups, and is not tried again
 * before Slack's Retry-After (else `retryMs`): more calls would only meet more 429s
 * (https://api.slack.com/apis/rate-limits). Until a read succeeds there are no members to answer.
 */
export class GroupMembers {
  private members: readonly string[] | undefined;
  private nextReadAt = 0;
  private reading: Promise<void> | undefined;
  /** Whether the last read met Slack's rate limit. */
  rateLimited = false;

  constructor(
    private readonly read: () => Promise<readonly string[]>,
    private readonly maxAgeMs: number,
    private readonly retryMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The members, or undefined when Slack has not answered for the group yet. Concurrent calls share one read. */
  async get(): Promise<readonly string[] | undefined> {
    if (this.reading === undefined && this.now() >= this.nextReadAt) {
      this.reading = this.refresh().finally(() => {
        this.reading = undefined;
      });
    }
    await this.reading;
    return this.members;
  }

  private async refresh(): Promise<void> {
    try {
      this.members = await this.read();
      this.nextReadAt = this.now() + this.maxAgeMs;
      this.rateLimited = false;
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      this.rateLimited = error.code === 'ratelimited';
      this.nextReadAt = this.now() + (error.retryAfterSeconds === undefined ? this.retryMs : error.retryAfterSeconds * 1000);
    }
  }
}
