import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from './fakes/aws';
import type { RunningBundle } from './support/bundle';
import { functionUrlEvent } from './support/events';
import { PROD_READONLY_ROLE, startLoginBundle } from './support/login-bundle';

// The bundle in cdk.out carries the registry of config/console-broker.json: chatops-bot is a delegator
// of prod-readonly, which admits alice@example.com, and prod-billing requires a reason.
const BOT = 'arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot';
const FINANCE = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Finance_0123456789abcdef/carol@example.com';

type Json = Record<string, unknown>;

describe('a bot acting for a person, through the bundled IAM entry from cdk.out', () => {
  const fake = new FakeAws();
  let bundle: RunningBundle;

  beforeAll(async () => {
    bundle = await startLoginBundle(fake, 'delegationE2eExternalId0123456789abcdefghij');
  });

  afterAll(async () => {
    await bundle.stop();
    await fake.stop();
  });

  it("opens the target as the person: STS, deciding with the target's trust policy, sees the person's source identity", async () => {
    // Act
    const response = await bundle.invoke(functionUrlEvent({ callerArn: BOT, accept: 'application/json', query: 'for=Alice%40example.com&reason=INC-4711' }));

    // Assess
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? '') as Json;
    expect(body).toMatchObject({ target: 'prod-readonly', sessionName: 'alice@example.com', reason: 'INC-4711' });
    const token = new URL(String(body.loginUrl)).searchParams.get('SigninToken') ?? '';
    // SourceIdentity names the person; the RoleSessionName names the bot that vouched for them.
    expect(fake.signinTokens.get(token)).toMatchObject({ roleArn: PROD_READONLY_ROLE, sessionName: 'bot=chatops-bot+slack-bot+111111111111', sourceIdentity: 'alice@example.com' });
  });

  it('refuses a person the target does not admit, before any AWS call', async () => {
    const before = fake.calls.length;

    const response = await bundle.invoke(functionUrlEvent({ callerArn: BOT, accept: 'application/json', query: 'for=mallory%40example.com' }));

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: { message: 'mallory@example.com is not allowed to open target "prod-readonly"' } });
    expect(fake.calls.length).toBe(before);
  });

  it('refuses a login without a reason on a target that requires one', async () => {
    const response = await bundle.invoke(functionUrlEvent({ callerArn: FINANCE, path: '/prod-billing', accept: 'application/json' }));

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: { code: 'ReasonRequired' } });
  });
});
