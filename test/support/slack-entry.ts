import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { vi } from 'vitest';
import { registryFor } from '../../lib/broker-stack';
import type { BrokerContext } from '../../lambda/core/middleware';
import type { FunctionUrlEvent } from '../../lambda/core/request';
import { FakeAws } from '../fakes/aws';
import { FakeSlack } from '../fakes/slack';
import { testConfig } from './config';
import { lambdaContext } from './events';
import { captureStdout } from './handler';
import { BOT_TOKEN_SECRET_ID, seedSlackWorld, SIGNING_SECRET_ID, SLACK_SECTION, SLACK_TARGETS } from './slack';

export interface SlackEntry {
  readonly aws: FakeAws;
  readonly slack: FakeSlack;
  invoke(event: FunctionUrlEvent): Promise<APIGatewayProxyStructuredResultV2>;
  /** The access log lines written so far, parsed. */
  logLines(): Record<string, unknown>[];
  /** Everything written to standard output as JSON lines. */
  logText(): string;
  stop(): Promise<void>;
}

export interface SlackEntryOptions {
  /** Environment beyond what the stack sets, such as WEB_ENTRY_URL. */
  readonly env?: Record<string, string>;
}

/**
 * lambda/slack/handler.ts loaded afresh with the environment the stack gives it, against the fakes of
 * STS, Secrets Manager, the federation endpoint and Slack's Web API, all over HTTP through the real clients.
 */
export async function startSlackEntry(options: SlackEntryOptions = {}): Promise<SlackEntry> {
  const aws = await new FakeAws().start();
  const slack = await new FakeSlack().start();
  seedSlackWorld(aws, slack);
  const config = testConfig({ slack: SLACK_SECTION, targets: SLACK_TARGETS });
  const env = {
    ...aws.env(),
    CONSOLE_BROKER_REGISTRY: JSON.stringify(registryFor(config)),
    SLACK_SIGNING_SECRET_ID: SIGNING_SECRET_ID,
    SLACK_BOT_TOKEN_SECRET_ID: BOT_TOKEN_SECRET_ID,
    SLACK_TEAM_IDS: SLACK_SECTION.teamIds.join(' '),
    SLACK_ENTERPRISE_IDS: SLACK_SECTION.enterpriseIds.join(' '),
    SLACK_EMAIL_DOMAINS: SLACK_SECTION.emailDomains.join(' '),
    SLACK_USER_GROUPS: JSON.stringify(SLACK_SECTION.userGroups),
    SLACK_API_URL: slack.url,
    // As the stack sets it for this entry (lib/broker-stack.ts): each AWS call gets a second.
    OUTBOUND_TIMEOUT_MS: '1000',
    ...options.env,
  };
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  const output = captureStdout();
  const { handler } = await import('../../lambda/slack/handler');
  return {
    aws,
    slack,
    invoke: (event) => handler(event, lambdaContext() as unknown as BrokerContext),
    logLines: () => output.lines().map((line) => JSON.parse(line) as Record<string, unknown>),
    logText: () => output.text(),
    stop: async () => {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      await slack.stop();
      await aws.stop();
    },
  };
}

/** The ephemeral message a 200 answer carries. */
export function slackMessage(response: APIGatewayProxyStructuredResultV2): { response_type: string; text: string; blocks?: { type: string; elements?: { url?: string }[]; text?: { text: string } }[] } {
  return JSON.parse(response.body ?? '{}') as ReturnType<typeof slackMessage>;
}

/** The URL of the answer's button. */
export function buttonUrl(response: APIGatewayProxyStructuredResultV2): string | undefined {
  return slackMessage(response).blocks?.find((block) => block.type === 'actions')?.elements?.[0]?.url;
}
