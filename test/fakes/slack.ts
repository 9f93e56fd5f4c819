import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SlackUser } from '../../lambda/slack/slack-api';

/**
 * A local stand-in for the two Slack Web API methods the broker calls, answering as Slack does:
 *
 * - A method is `https://slack.com/api/<method>`, called with a form (or query) whose token comes in
 *   `Authorization: Bearer` or a `token` argument; the answer is HTTP 200 with JSON whose `ok` says
 *   whether it worked and, if not, `error` names why: `not_authed` without a token, `invalid_auth` for
 *   an unknown one (https://api.slack.com/web, "Basics" and "Evaluating responses").
 * - A token without a method's scope gets `missing_scope` with `needed` and `provided`
 *   (https://api.slack.com/methods/users.info, "Errors"); users.info needs `users:read`, and `email`
 *   appears in the profile only with `users:read.email` besides
 *   (https://api.slack.com/methods/users.info, "Email addresses").
 * - users.info answers `user_not_found` for an ID it does not know (its "Errors").
 * - usergroups.users.list needs `usergroups:read` and answers `no_such_subteam` for an unknown group
 *   (https://api.slack.com/methods/usergroups.users.list).
 * - Over its rate limit a method answers HTTP 429 with `Retry-After` in seconds and `ratelimited`
 *   (https://api.slack.com/apis/rate-limits, "Responding to rate limiting conditions").
 */
export const SLACK_BOT_TOKEN = 'xoxb-111111111111-2222222222222-SandboxBotTokenForTests';

export type SlackMode = 'ok' | 'ratelimited' | 'down' | 'slow';

export interface FakeSlackCall {
  readonly method: string;
  readonly args: Readonly<Record<string, string>>;
}

const SCOPES_NEEDED: Readonly<Record<string, string>> = { 'users.info': 'users:read', 'usergroups.users.list': 'usergroups:read' };

export class FakeSlack {
  /** Users by ID, as users.info returns them with every scope. */
  readonly users = new Map<string, SlackUser>();
  /** User group ID to its members' IDs. */
  readonly userGroups = new Map<string, string[]>();
  /** Scopes of each bot token Slack issued. */
  readonly tokens = new Map<string, readonly string[]>([[SLACK_BOT_TOKEN, ['commands', 'users:read', 'users:read.email', 'usergroups:read']]]);
  readonly calls: FakeSlackCall[] = [];
  mode: SlackMode = 'ok';
  /** Methods answered 429 whatever the mode: Slack's limits are per method (https://api.slack.com/apis/rate-limits). */
  readonly limitedMethods = new Set<string>();
  /** How long `slow` waits before answering. */
  slowMs = 5000;
  retryAfterSeconds = 30;
  url = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => { this.answer(req, res, Buffer.concat(chunks).toString('utf8')); });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    // During an outage slack.com answers 5xx, as a load balancer with no Web API behind it would.
    if (this.mode === 'down') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>503 Service Unavailable</body></html>');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = url.pathname.replace(/^\/api\//, '');
    const args = Object.fromEntries([...url.searchParams, ...new URLSearchParams(body)]);
    this.calls.push({ method, args });
    const { status, json, headers = {} } = this.result(method, args, /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? args.token);
    const send = (): void => { res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(json)); };
    if (this.mode === 'slow') setTimeout(send, this.slowMs);
    else send();
  }

  private result(method: string, args: Record<string, string>, token: string | undefined): { status: number; json: Record<string, unknown>; headers?: Record<string, string> } {
    const fail = (error: string, more: Record<string, unknown> = {}): { status: number; json: Record<string, unknown> } => ({ status: 200, json: { ok: false, error, ...more } });
    if (this.mode === 'ratelimited' || this.limitedMethods.has(method)) return { status: 429, json: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(this.retryAfterSeconds) } };
    if (token === undefined) return fail('not_authed');
    const scopes = this.tokens.get(token);
    if (scopes === undefined) return fail('invalid_auth');
    const needed = SCOPES_NEEDED[method];
    if (needed === undefined) return fail('unknown_method');
    if (!scopes.includes(needed)) return fail('missing_scope', { needed, provided: scopes.join(',') });
    if (method === 'users.info') {
      const user = this.users.get(args.user ?? '');
      if (!user) return fail('user_not_found');
      const profile = { ...user.profile };
      if (!scopes.includes('users:read.email')) delete (profile as { email?: string }).email;
      return { status: 200, json: { ok: true, user: { ...user, profile } } };
    }
    const members = this.userGroups.get(args.usergroup ?? '');
    if (!members) return fail('no_such_subteam');
    return { status: 200, json: { ok: true, users: members } };
  }
}
