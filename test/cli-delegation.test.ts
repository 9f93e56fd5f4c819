import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SIGNIN_ORIGIN_VARIABLE, listConsoleTargets, requestConsoleLogin } from '../cli/client';
import { FakeAws } from './fakes/aws';
import { LocalFunctionUrl } from './fakes/function-url';
import type { RunningBundle } from './support/bundle';
import { cli } from './support/cli';
import { startLoginBundle } from './support/login-bundle';

// The bundle in cdk.out carries config/console-broker.json: chatops-bot is a delegator of
// prod-readonly, which admits alice@example.com; prod-billing requires a reason.
const BOT = {
  arn: 'arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot',
  credentials: { accessKeyId: 'AKIACHATOPSBOT000000', secretAccessKey: 'chatops-bot-secret-key' },
};
const FINANCE = {
  arn: 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Finance_0123456789abcdef/carol@example.com',
  credentials: { accessKeyId: 'AKIAFINANCECAROL0000', secretAccessKey: 'finance-carol-secret-key' },
};

describe('a bot and the CLI naming a person and a reason, through a local function URL in front of the bundled IAM entry', () => {
  const fake = new FakeAws();
  let bundle: RunningBundle;
  let functionUrl: LocalFunctionUrl;
  let env: Record<string, string>;

  beforeAll(async () => {
    bundle = await startLoginBundle(fake, 'cliDelegationExternalId0123456789abcdefghij');
    functionUrl = new LocalFunctionUrl(
      (event) => bundle.invoke(event),
      new Map([BOT, FINANCE].map((caller) => [caller.credentials.accessKeyId, caller])),
    );
    await functionUrl.start();
    env = { [LOCAL_SIGNIN_ORIGIN_VARIABLE]: new URL(fake.federationUrl).origin };
  });

  afterAll(async () => {
    await functionUrl.stop();
    await bundle.stop();
    await fake.stop();
  });

  it('requestConsoleLogin opens the console as the person, and shows the reason back', async () => {
    // Act
    const login = await requestConsoleLogin({ target: 'prod-readonly', url: functionUrl.url, credentials: BOT.credentials, env, person: { email: 'alice@example.com' }, reason: 'INC-4711' });

    // Assess
    expect(login).toMatchObject({ target: 'prod-readonly', sessionName: 'alice@example.com', reason: 'INC-4711' });
    expect(fake.signinTokens.get(new URL(login.loginUrl).searchParams.get('SigninToken') ?? '')).toMatchObject({ sourceIdentity: 'alice@example.com' });
  });

  it('listConsoleTargets lists what the bot may open for the person', async () => {
    const list = await listConsoleTargets({ url: functionUrl.url, credentials: BOT.credentials, env, person: { email: 'alice@example.com' } });

    expect(list).toMatchObject({ caller: BOT.arn, person: 'alice@example.com', targets: [{ name: 'prod-readonly' }] });
  });

  it('the CLI takes --for, --groups and --reason', async () => {
    const keys = { AWS_ACCESS_KEY_ID: BOT.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: BOT.credentials.secretAccessKey, ...env };

    const login = await cli(['login', 'prod-readonly', '--url', functionUrl.url, '--for', 'alice@example.com', '--reason', 'INC-4711', '--json'], keys);
    const refused = await cli(['login', 'prod-readonly', '--url', functionUrl.url, '--for', 'mallory@example.com'], keys);
    const unvouched = await cli(['login', 'prod-readonly', '--url', functionUrl.url, '--for', 'alice@example.com', '--groups', 'sre'], keys);
    const groupsAlone = await cli(['login', 'prod-readonly', '--url', functionUrl.url, '--groups', 'sre'], keys);

    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ sessionName: 'alice@example.com', reason: 'INC-4711' });
    expect(refused).toMatchObject({ code: 1, stderr: 'console-broker: Not allowed: mallory@example.com is not allowed to open target "prod-readonly".\nAsk the broker\'s operators to add mallory@example.com to the target.\n' });
    expect(unvouched.stderr).toBe(`console-broker: Not allowed: ${BOT.arn} may not vouch for group "sre" on target "prod-readonly".\n`);
    expect(groupsAlone).toMatchObject({ code: 2, stderr: 'console-broker: --groups needs --for: name the person the groups belong to.\n' });
  });

  it('the CLI says what to do when a target requires a reason', async () => {
    const keys = { AWS_ACCESS_KEY_ID: FINANCE.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: FINANCE.credentials.secretAccessKey, ...env };

    const { code, stderr } = await cli(['login', 'prod-billing', '--url', functionUrl.url], keys);

    expect(code).toBe(1);
    expect(stderr).toBe('console-broker: The broker refused the request: target "prod-billing" requires a reason for every login: give a ticket ID or a sentence in reason.\n');
  });
});
