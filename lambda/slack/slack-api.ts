import type { Readable } from 'node:stream';
import { HttpRequest } from '@smithy/core/protocols';
import { streamCollector } from '@smithy/node-http-handler';
import { DeadlineHttpHandler } from '../core/deadline';
import { isTimeout } from '../core/errors';

/**
 * The two Slack Web API methods the broker calls, over the AWS SDK's own HTTP handler, which the bundle
 * holds already: @slack/web-api would add 63 KiB and about 20 ms to the cold import for two calls, and
 * its default is to retry a rate-limited call for minutes, past Slack's three seconds (BENCHMARKS.md).
 * https://api.slack.com/web: a method is a POST of a form to https://slack.com/api/<method>, the token in
 * `Authorization: Bearer`, and the answer is JSON whose `ok` says whether it worked; if not, `error` names why.
 */

/** A user object as users.info answers, with the fields the broker reads (https://api.slack.com/types/user). */
export interface SlackUser {
  readonly id: string;
  readonly team_id?: string;
  readonly deleted?: boolean;
  readonly is_bot?: boolean;
  readonly is_app_user?: boolean;
  /** Guests: multi-channel (restricted) and single-channel (ultra restricted). */
  readonly is_restricted?: boolean;
  readonly is_ultra_restricted?: boolean;
  /** A member of another organization, met in a shared channel. */
  readonly is_stranger?: boolean;
  readonly is_email_confirmed?: boolean;
  readonly enterprise_user?: { readonly enterprise_id?: string };
  /** `email` only with the users:read.email scope. */
  readonly profile?: { readonly email?: string };
}

/** Why a Slack call failed: Slack's own `error` code, `ratelimited` (HTTP 429), `timeout` or `unreachable`. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`the Slack API answered ${code}`);
    this.name = 'SlackApiError';
  }
}

export interface SlackApiOptions {
  /** https://slack.com/api/ unless tests name another. */
  readonly baseUrl: URL;
  /** Each call's own timeout; within a request's deadline (lambda/core/deadline.ts), no later than that. */
  readonly timeoutMs: number;
  readonly token: () => Promise<string>;
  readonly now?: () => number;
}

/** How long a method rests after a 429 that names no Retry-After (Slack's always does). */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export class SlackApi {
  private readonly http: DeadlineHttpHandler;
  private readonly now: () => number;
  /** When each rate-limited method may be called again. */
  private readonly resting = new Map<string, number>();

  constructor(private readonly options: SlackApiOptions) {
    this.http = new DeadlineHttpHandler({ connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs, throwOnRequestTimeout: true });
    this.now = options.now ?? (() => Date.now());
  }

  /** https://api.slack.com/methods/users.info (scopes users:read, and users:read.email for the address). */
  async userInfo(userId: string): Promise<SlackUser> {
    const answer = await this.call('users.info', { user: userId });
    const user = answer.user;
    if (typeof user !== 'object' || user === null || typeof (user as SlackUser).id !== 'string') throw new SlackApiError('no_user_in_answer');
    return user as SlackUser;
  }

  /** The members of a user group, by its ID: https://api.slack.com/methods/usergroups.users.list (scope usergroups:read). */
  async userGroupMembers(userGroupId: string): Promise<readonly string[]> {
    const answer = await this.call('usergroups.users.list', { usergroup: userGroupId });
    const users = answer.users;
    if (!Array.isArray(users) || !users.every((u): u is string => typeof u === 'string')) throw new SlackApiError('no_users_in_answer');
    return users;
  }

  /**
   * Limits are per method, app and workspace, and a 429 says in Retry-After how many seconds to wait
   * (https://docs.slack.dev/apis/web-api/rate-limits, "Responding to rate limiting conditions"): until
   * then a call to that method is answered here, as Slack would, without asking Slack.
   */
  private async call(method: string, args: Record<string, string>): Promise<Record<string, unknown>> {
    const restMs = (this.resting.get(method) ?? 0) - this.now();
    if (restMs > 0) throw new SlackApiError('ratelimited', Math.ceil(restMs / 1000));
    const url = new URL(method, this.options.baseUrl);
    const body = new URLSearchParams(args).toString();
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: {
        host: url.host,
        authorization: `Bearer ${await this.options.token()}`,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const { response } = await this.http.handle(request);
      status = response.statusCode;
      retryAfter = response.headers['retry-after'];
      text = Buffer.from(await streamCollector(response.body as Readable)).toString('utf8');
    } catch (error) {
      throw new SlackApiError(isTimeout(error) ? 'timeout' : 'unreachable');
    }
    if (status === 429) {
      const seconds = /^\d+$/.test(retryAfter ?? '') && Number(retryAfter) > 0 ? Number(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS;
      this.resting.set(method, this.now() + seconds * 1000);
      throw new SlackApiError('ratelimited', seconds);
    }
    if (status !== 200) throw new SlackApiError(`http_${String(status)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SlackApiError('not_json');
    }
    if (typeof parsed !== 'object' || parsed === null) throw new SlackApiError('not_json');
    const answer = parsed as Record<string, unknown>;
    if (answer.ok !== true) throw new SlackApiError(typeof answer.error === 'string' ? answer.error.slice(0, 64) : 'not_ok');
    return answer;
  }
}
