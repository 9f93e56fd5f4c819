import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Deadline, within } from '../core/deadline';
import { badRequest, HttpError, methodNotAllowed } from '../core/errors';
import { loggedLogin } from '../core/login';
import { accessLog, malformation, type BrokerContext } from '../core/middleware';
import { PARTITIONS } from '../core/partition';
import { personMayOpen, personName, type Person } from '../core/people';
import type { Target } from '../core/registry';
import { requireOwnUrl, resolveLogin, type FunctionUrlEvent } from '../core/request';
import { COMMON_HEADERS } from '../core/response';
import { createRuntime } from '../core/runtime';
import { readCurrentSecret, RefreshingSecret } from '../core/secrets';
import { positiveInteger, requiredSetting } from '../core/settings';
import { parseConsoleCommand, parseSlashCommand, type SlashCommand } from './command';
import { GroupMembers } from './group-members';
import { consoleAnswer, help, refusal, targetList } from './messages';
import { isServedWorkspace, nothingToOpen, slackPerson, type SlackTrust } from './person';
import { SlackApi, SlackApiError, type SlackUser } from './slack-api';
import { SlackUsers } from './slack-users';
import { verifySlackSignature } from './signature';

/**
 * The Slack entry: a function URL with auth type NONE that answers a slash command. Every request is
 * verified with Slack's signature before anything else is read from it, the person is the Slack user
 * (users.info), and the people rules decide as in the browser entry. With a browser entry the answer is
 * a link into it, where the company's provider signs the person in; without one, a login URL.
 */

const words = (name: string): string[] => (process.env[name] ?? '').split(/\s+/).filter((word) => word !== '');

function userGroups(): Record<string, string> {
  const parsed: unknown = JSON.parse(process.env.SLACK_USER_GROUPS || '{}');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new Error('SLACK_USER_GROUPS must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
}

// One attempt per AWS call: a second would not fit in Slack's three seconds (ANSWER_BUDGET_MS).
const { registry, clients, login: deps } = createRuntime(process.env, process.env.CONSOLE_BROKER_REGISTRY, 1);
const trust: SlackTrust = {
  teamIds: words('SLACK_TEAM_IDS'),
  enterpriseIds: words('SLACK_ENTERPRISE_IDS'),
  emailDomains: words('SLACK_EMAIL_DOMAINS'),
  userGroups: userGroups(),
};
/** The browser entry's URL: when set, answers are links into it and this entry opens no console itself. */
const webEntryUrl = process.env.WEB_ENTRY_URL || undefined;
// Where the console sends a person whose session ended: without a browser entry, the partition's console.
const issuer = `https://${PARTITIONS[registry.partition].consoleHost}/`;
// A rotated signing secret or bot token reaches a warm execution environment within this bound.
const secretMaxAgeMs = positiveInteger(process.env, 'SLACK_SECRET_MAX_AGE_SECONDS', 300) * 1000;
const signingSecretId = requiredSetting(process.env, 'SLACK_SIGNING_SECRET_ID');
const botTokenId = requiredSetting(process.env, 'SLACK_BOT_TOKEN_SECRET_ID');
const signingSecret = new RefreshingSecret(async () => (await readCurrentSecret(clients.secrets, signingSecretId)).value.trim(), secretMaxAgeMs);
const botToken = new RefreshingSecret(async () => (await readCurrentSecret(clients.secrets, botTokenId)).value.trim(), secretMaxAgeMs);
// Both are read during init, which Lambda runs before the first request arrives, so the first answer
// does not wait for them one after the other; a failed read is tried again by the request.
void signingSecret.get();
void botToken.get();
/**
 * Slack waits three seconds for the answer, cold start included, and shows its own error after
 * (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt): every call a
 * request makes, to Secrets Manager, Slack, STS and the federation endpoint, ends by this time after the
 * request arrived, which leaves the rest for the cold start and Slack's own round trip.
 */
const ANSWER_BUDGET_MS = 2000;
const slack = new SlackApi({
  baseUrl: new URL(process.env.SLACK_API_URL || 'https://slack.com/api/'),
  // Each call gets a third of Slack's three seconds, and no more than what is left of ANSWER_BUDGET_MS.
  timeoutMs: positiveInteger(process.env, 'SLACK_API_TIMEOUT_MS', 1000),
  token: () => botToken.get(),
});
// users.info is Tier 4 (100+ a minute per workspace, https://docs.slack.dev/reference/methods/users.info):
// each person is asked about at most once in five minutes, so a deactivated account or one made a guest
// opens nothing within five minutes; at most 5,000 people are kept, a few MiB.
const slackUsers = new SlackUsers((userId) => slack.userInfo(userId), 5 * 60_000, 5000);
// usergroups.users.list is Tier 2 (20+ a minute, https://api.slack.com/methods/usergroups.users.list):
// each mapped group's members are read at most once a minute, so a removal takes up to a minute; after
// a failed read, not again before Slack's Retry-After or ten seconds.
const groupMembers = new Map(Object.keys(trust.userGroups).map((id) => [id, new GroupMembers(() => slack.userGroupMembers(id), 60_000, 10_000)]));

interface SlackContext extends BrokerContext {
  /** Set once the request's signature is verified: from then on every answer is a sentence in Slack. */
  slackVerified?: boolean;
}

function header(event: FunctionUrlEvent, name: string): string | undefined {
  return Object.entries(event.headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Slack's rate limit: the app's allowance, not the broker's failure, so 429 on the access log line (no
 * ServerError, no page) with the dependency named (DependencyThrottled); Slack itself is answered 200.
 */
const SLACK_RATE_LIMITED = 'SlackRateLimited';
const slackRateLimited = (message: string, cause?: unknown): HttpError => new HttpError(429, SLACK_RATE_LIMITED, message, { cause });

/** A Slack API failure as a sentence the person can act on. */
function slackFailure(error: SlackApiError): HttpError {
  switch (error.code) {
    case 'timeout':
      return new HttpError(504, 'SlackTimeout', 'Slack did not answer console-broker in time; try again in a moment', { cause: error });
    case 'unreachable':
    case 'http_500':
    case 'http_502':
    case 'http_503':
    case 'http_504':
      return new HttpError(502, 'SlackUnavailable', 'console-broker could not reach Slack; try again in a moment', { cause: error });
    case 'ratelimited':
      return slackRateLimited(`Slack is rate-limiting console-broker; try again in ${String(error.retryAfterSeconds ?? 60)} s`, error);
    case 'user_not_found':
    case 'user_not_visible':
      return new HttpError(403, 'SlackUserRefused', 'Slack does not show console-broker who you are', { cause: error });
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
    case 'token_expired':
    case 'account_inactive':
      return new HttpError(502, 'SlackAuthFailed', "console-broker's Slack bot token is not valid; tell the team that runs console-broker", { cause: error });
    case 'missing_scope':
      return new HttpError(502, 'SlackScopeMissing', 'the console-broker Slack app lacks a scope it needs (users:read, users:read.email, usergroups:read); tell the team that runs it', { cause: error });
    default:
      return new HttpError(502, 'SlackApiFailed', `Slack refused console-broker's question (${error.code}); tell the team that runs console-broker`, { cause: error });
  }
}

/** The mapped user groups that would open one of `targets` for a person who cannot open it already. */
function groupsThatOpen(targets: readonly Target[], byEmail: Person): string[] {
  const closed = targets.filter((target) => !personMayOpen(target, byEmail));
  return Object.entries(trust.userGroups)
    .filter(([, group]) => closed.some((target) => target.allowedGroups.includes(group)))
    .map(([id]) => id);
}

interface LookedUp {
  readonly person: Person;
  /** Mapped user groups whose members Slack did not list (rate-limited, slow, down): counted as not the person's. */
  readonly unlisted: readonly string[];
  /** Whether Slack's rate limit kept any of them unlisted. */
  readonly rateLimited: boolean;
}

/**
 * The person behind the command: their Slack account, and those of the mapped user groups that could
 * open a target for them that they are in. A person whose e-mail address opens `named` waits on no group
 * and is not refused when Slack limits group reads. Otherwise every such group is asked, whether `named`
 * is a target or not, so a name that is no target costs the same calls as one that is not the person's.
 */
async function lookUp(command: SlashCommand, named: Target | undefined): Promise<LookedUp> {
  let user: SlackUser;
  try {
    user = await slackUsers.get(command.teamId, command.userId);
  } catch (error) {
    throw error instanceof SlackApiError ? slackFailure(error) : error;
  }
  const byEmail = slackPerson(trust, command, user, []);
  const wanted = named !== undefined && personMayOpen(named, byEmail) ? [] : registry.targets;
  const groups = await Promise.all(
    groupsThatOpen(wanted, byEmail).map(async (id) => {
      const reader = groupMembers.get(id);
      return { id, reader, members: await reader?.get() };
    }),
  );
  const unread = groups.filter((group) => group.members === undefined);
  return {
    person: slackPerson(trust, command, user, groups.filter((group) => group.members?.includes(command.userId) === true).map((group) => group.id)),
    unlisted: unread.map((group) => group.id),
    rateLimited: unread.some((group) => group.reader?.rateLimited === true),
  };
}

/** The answer for user groups Slack did not list, which decided it. */
function unlistedGroups({ unlisted, rateLimited }: LookedUp): HttpError {
  const message = `Slack did not tell console-broker who is in ${unlisted.length === 1 ? 'a user group' : 'user groups'} of the configuration (${unlisted.join(', ')}), so it counted you as not in ${unlisted.length === 1 ? 'it' : 'them'}; try again in a minute`;
  return rateLimited ? slackRateLimited(message) : new HttpError(503, 'SlackGroupsUnlisted', message);
}

/**
 * One answer for a name that is no target and a target the person may not open, so that a member cannot
 * learn from it which targets exist; it lists what the person may open. Only the access log line tells
 * the two apart (404 or 403, and the target's name when it is one), for the operators: Slack is answered 200.
 */
function notYoursOrUnknown(name: string, named: Target | undefined, yours: readonly Target[], person: Person): HttpError {
  const none = `You may open no target named "${name.slice(0, 64)}"`;
  const message = yours.length > 0 ? `${none}; targets you may open: ${yours.map((t) => t.name).join(', ')}` : `${none}. ${nothingToOpen(person, trust)}`;
  return named === undefined ? new HttpError(404, 'NotFound', message) : new HttpError(403, 'Forbidden', message);
}

/** The Slack user by their IDs, which Slack vouches for (the request is signed). */
function slackUserId(command: SlashCommand): string {
  return `Slack ${command.enterpriseId ? `${command.enterpriseId}/` : ''}${command.teamId}/${command.userId}`;
}

/** The caller in the access log: an address only when it counts (confirmed, in a listed domain), as the session name takes it. */
function who(person: Person, command: SlashCommand): string {
  return person.emailVerified && person.email !== undefined ? `${person.email} (${slackUserId(command)})` : slackUserId(command);
}

/** A link into the browser entry: it signs the person in with the company's provider and decides again. */
function deepLink(base: string, target: Target, service: string | undefined, region: string | undefined, reason: string | undefined): string {
  const url = new URL(encodeURIComponent(target.name), base);
  if (service !== undefined) url.searchParams.set('service', service);
  if (region !== undefined) url.searchParams.set('region', region);
  if (reason !== undefined) url.searchParams.set('reason', reason);
  return url.href;
}

/** Slack shows a time in the reader's own zone: https://api.slack.com/reference/surfaces/formatting#date-formatting */
const slackTime = (iso: string): string => `<!date^${String(Math.floor(Date.parse(iso) / 1000))}^{date_short_pretty} {time}|${iso}>`;

async function serve(event: FunctionUrlEvent, context: SlackContext): Promise<APIGatewayProxyStructuredResultV2> {
  requireOwnUrl(event, process.env);
  const method = event.requestContext.http.method;
  if (method !== 'POST') throw methodNotAllowed(`method ${method} is not allowed; Slack posts slash commands`, ['POST']);
  // The signature covers the exact bytes Slack sent; a function URL may hand them over in base64.
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const verdict = verifySlackSignature(await signingSecret.get(), header(event, 'x-slack-request-timestamp'), header(event, 'x-slack-signature'), raw, Math.floor(Date.now() / 1000));
  if (!verdict.ok) throw new HttpError(401, 'BadSignature', verdict.problem);
  context.slackVerified = true;

  const form = new URLSearchParams(raw.toString('utf8'));
  // A click on the answer's link button: Slack tells the app, which need only acknowledge it.
  // https://api.slack.com/reference/block-kit/block-elements#button
  if (form.has('payload')) {
    context.accessLog.route = 'help';
    return { statusCode: 200, headers: COMMON_HEADERS, body: '' };
  }
  const command = parseSlashCommand(raw.toString('utf8'));
  context.accessLog.caller = slackUserId(command);
  if (!isServedWorkspace(trust, command)) throw new HttpError(403, 'ForeignWorkspace', 'this console-broker does not serve your Slack workspace');

  const asked = parseConsoleCommand(command.text, registry.partition, command.command);
  if (asked.kind === 'help') {
    context.accessLog.route = 'help';
    return help(command.command);
  }
  const named = asked.kind === 'open' ? registry.targets.find((t) => t.name === asked.target) : undefined;
  // Nothing of the target is read before the person is known to be allowed it: the external ID only in
  // the login, so a target that is not the person's costs no more calls than a name that is no target.
  const lookedUp = await lookUp(command, named);
  const { person, unlisted } = lookedUp;
  const caller = { id: who(person, command), name: personName(person), mayOpen: (target: Target): boolean => personMayOpen(target, person) };
  context.accessLog.caller = caller.id;
  const yours = registry.targets.filter(caller.mayOpen);
  if (asked.kind === 'list') {
    context.accessLog.route = 'targets';
    if (yours.length === 0) throw unlisted.length > 0 ? unlistedGroups(lookedUp) : new HttpError(403, 'Forbidden', nothingToOpen(person, trust));
    return targetList(command.command, yours, unlisted.length > 0 ? `${unlistedGroups(lookedUp).message}: what they open is not listed.` : undefined);
  }
  if (named === undefined || !caller.mayOpen(named)) {
    if (named !== undefined) context.accessLog.target = named.name;
    // A group Slack did not list might have opened it: had Slack listed them, the answer might have been yes.
    throw unlisted.length > 0 ? unlistedGroups(lookedUp) : notYoursOrUnknown(asked.target, named, yours, person);
  }

  const request = resolveLogin(registry, caller, { target: asked.target, service: asked.service, region: asked.region, reason: asked.reason });
  const { reason } = request;
  if (webEntryUrl !== undefined) {
    Object.assign(context.accessLog, { route: 'link', target: request.target.name, region: request.region, destination: request.destination.toString(), ...(reason === undefined ? {} : { reason }) });
    return consoleAnswer({
      target: request.target,
      region: request.region,
      url: deepLink(webEntryUrl, request.target, asked.service, asked.region, reason),
      buttonText: 'Open console',
      validity: 'The button opens console-broker in your browser, where you sign in with your company account; it holds no credentials.',
      reason,
    });
  }
  const result = await loggedLogin(deps, request, issuer, context.accessLog);
  return consoleAnswer({
    target: request.target,
    region: request.region,
    url: result.loginUrl,
    buttonText: 'Open console',
    validity: `*Works until* ${slackTime(result.expiresAt)}, for whoever opens it: do not share it. The console session ends ${slackTime(result.sessionExpiresAt)}.`,
    reason,
  });
}

/**
 * Before the signature is verified, an error is a plain status and sentence, for whoever sent it. After,
 * it is an ephemeral sentence with HTTP 200, since Slack shows any other status as its own failure; the
 * access log still reports the error's status and code.
 */
function slackAnswers(): MiddlewareObj<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, SlackContext> {
  return {
    before: (request) => {
      const problem = malformation(request.event);
      if (problem !== undefined) throw badRequest(`not a function URL event: ${problem}`);
    },
    onError: (request) => {
      const { error, context } = request;
      const known =
        error instanceof HttpError
          ? error
          : new HttpError(500, 'InternalError', `console-broker failed unexpectedly; request ${context.awsRequestId} finds it in the logs`, { cause: error });
      if (!context.slackVerified) {
        request.response = {
          statusCode: known.status,
          headers: { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...(known.status === 405 ? { allow: 'POST' } : {}) },
          body: known.message,
        };
        if (!(error instanceof HttpError)) context.accessLog.answered = known;
        return;
      }
      context.accessLog.answered = known;
      if (known.code === SLACK_RATE_LIMITED) context.accessLog.dependency = 'slack';
      request.response = refusal(known.message);
    },
  };
}

export const handler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, SlackContext>()
  .use(accessLog({ entry: 'slack' }))
  .use(slackAnswers())
  .handler((event, context) => within(new Deadline(ANSWER_BUDGET_MS), () => serve(event, context)));
