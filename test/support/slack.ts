import { webcrypto } from 'node:crypto';
import type { FunctionUrlEvent } from '../../lambda/core/request';
import type { SlackUser } from '../../lambda/slack/slack-api';
import type { FakeAws } from '../fakes/aws';
import { SLACK_BOT_TOKEN, type FakeSlack } from '../fakes/slack';
import { functionUrlEvent } from './events';

/**
 * Slack's request signing written again, apart from lambda/slack/signature.ts and by other means (Web
 * Crypto rather than node:crypto's createHmac, a byte-by-byte comparison rather than timingSafeEqual),
 * from "Verifying requests from Slack" (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `v0=` + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)).
 */
export async function signAsSlack(signingSecret: string, timestamp: string, rawBody: Uint8Array): Promise<string> {
  const encoder = new TextEncoder();
  const key = await webcrypto.subtle.importKey('raw', encoder.encode(signingSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const prefix = encoder.encode(`v0:${timestamp}:`);
  const message = new Uint8Array(prefix.length + rawBody.length);
  message.set(prefix);
  message.set(rawBody, prefix.length);
  const mac = new Uint8Array(await webcrypto.subtle.sign('HMAC', key, message));
  return `v0=${Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** The same rule as a verifier, with the five-minute window either way. */
export async function slackWouldAccept(signingSecret: string, timestamp: string, signature: string, rawBody: Uint8Array, nowSeconds: number): Promise<boolean> {
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = await signAsSlack(signingSecret, timestamp, rawBody);
  return expected.length === signature.length && Array.from({ length: expected.length }, (_, i) => i).every((i) => expected.charCodeAt(i) === signature.charCodeAt(i));
}

export const SLACK_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const TEAM_ID = 'T0001ACME';
export const ENTERPRISE_ID = 'E0001ACME';

/** A slash command's form as Slack posts it (https://api.slack.com/interactivity/slash-commands#app_command_handling). */
export function slashCommandForm(fields: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: TEAM_ID,
    team_domain: 'acme',
    channel_id: 'C0001',
    channel_name: 'ops',
    user_id: 'U0001ALICE',
    user_name: 'alice',
    command: '/console',
    text: '',
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0001ACME/1/abc',
    trigger_id: '1.2.abc',
    ...fields,
  }).toString();
}

export interface SignedOptions {
  readonly secret?: string;
  /** Unix seconds; now by default. */
  readonly timestamp?: number;
  /** Send the body base64-encoded, as a function URL may. */
  readonly base64?: boolean;
  /** Replace the signature that would be sent. */
  readonly signature?: string;
}

/** A function URL event carrying `body` signed exactly as Slack signs it. */
export async function signedSlackEvent(body: string, options: SignedOptions = {}): Promise<FunctionUrlEvent> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const bytes = new TextEncoder().encode(body);
  const signature = options.signature ?? (await signAsSlack(options.secret ?? SLACK_SIGNING_SECRET, timestamp, bytes));
  const event = functionUrlEvent({ path: '/', method: 'POST', callerArn: null });
  return {
    ...event,
    headers: {
      ...event.headers,
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body: options.base64 ? Buffer.from(bytes).toString('base64') : body,
    isBase64Encoded: options.base64 === true,
  };
}

export const SIGNING_SECRET_ID = 'console-broker/slack-signing-secret';
export const BOT_TOKEN_SECRET_ID = 'console-broker/slack-bot-token';
export const ADMINS_USER_GROUP = 'S0001ADMINS';

/** Targets as the configuration names them: prod-readonly for the admins group, prod-billing for carol, locked for nobody. */
export const SLACK_TARGETS = [
  { name: 'prod-readonly', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly', allowedGroups: ['admins'] },
  { name: 'prod-billing', accountId: '222222222222', roleName: 'ConsoleBrokerBilling', allowedEmails: ['carol@example.com'], defaultRegion: 'us-east-1' },
  { name: 'locked', accountId: '222222222222', roleName: 'ConsoleBrokerLocked' },
];

export const SLACK_SECTION = { teamIds: [TEAM_ID], enterpriseIds: [ENTERPRISE_ID], emailDomains: ['example.com'], userGroups: { [ADMINS_USER_GROUP]: 'admins' } };

/** Slack users, as users.info answers for them with every scope (https://api.slack.com/types/user). */
export const SLACK_USERS: readonly SlackUser[] = [
  { id: 'U0001ALICE', team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'Alice@Example.com' } },
  { id: 'U0002BOB', team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'bob@example.com' } },
  { id: 'U0003CAROL', team_id: TEAM_ID, is_email_confirmed: true, profile: { email: 'carol@example.com' } },
  { id: 'U0004DAVE', team_id: TEAM_ID, is_email_confirmed: false, profile: {} },
];

/**
 * What a deployed Slack entry finds, in the fakes: Slack's users and the admins group (alice), the two
 * Slack secrets, and SLACK_TARGETS' roles with their external IDs.
 */
export function seedSlackWorld(aws: FakeAws, slack: FakeSlack): void {
  for (const user of SLACK_USERS) slack.users.set(user.id, user);
  slack.userGroups.set(ADMINS_USER_GROUP, ['U0001ALICE']);
  aws.secrets.set(SIGNING_SECRET_ID, SLACK_SIGNING_SECRET);
  aws.secrets.set(BOT_TOKEN_SECRET_ID, SLACK_BOT_TOKEN);
  for (const [role, target] of [['arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly', 'prod-readonly'], ['arn:aws:iam::222222222222:role/ConsoleBrokerBilling', 'prod-billing']] as const) {
    aws.roles.set(role, { externalId: `externalIdOf-${target}-0123456789` });
    aws.secrets.set(`console-broker/external-id/${target}`, `externalIdOf-${target}-0123456789`);
  }
}
