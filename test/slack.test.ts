import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registryFor } from '../lib/broker-stack';
import { parseLogin } from '../lambda/core/request';
import { testConfig } from './support/config';
import { functionUrlEvent } from './support/events';
import { findLeaks } from './support/leaks';
import { signedSlackEvent, SLACK_SECTION, SLACK_TARGETS, slashCommandForm, TEAM_ID } from './support/slack';
import { buttonUrl, slackMessage, startSlackEntry, type SlackEntry } from './support/slack-entry';

const WEB_ENTRY = 'https://abcdefghijklmnopqrstuvwxyz543210.lambda-url.eu-west-1.on.aws/';

const command = (text: string, user = 'U0001ALICE'): Promise<ReturnType<typeof signedSlackEvent> extends Promise<infer E> ? E : never> =>
  signedSlackEvent(slashCommandForm({ text, user_id: user }));

describe('the Slack entry, minting login URLs (no browser entry)', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry();
  });

  afterEach(() => {
    entry.slack.mode = 'ok';
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('answers /console help with the grammar, without asking Slack who the person is', async () => {
    // Act
    const response = await entry.invoke(await command('help'));

    // Assess
    expect(response.statusCode).toBe(200);
    const message = slackMessage(response);
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toContain('/console <target> [service] [region] [-- reason]');
    expect(entry.slack.calls).toEqual([]);
  });

  it('lists only what the person may open for /console alone', async () => {
    const response = await entry.invoke(await command(''));

    const message = slackMessage(response);
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toContain('`prod-readonly`');
    expect(message.text).not.toContain('prod-billing');
    expect(message.text).not.toContain('locked');
  });

  it('opens a console with a login URL button: target, account, region, when it stops working, and the reason', async () => {
    // Act
    const response = await entry.invoke(await command('prod-readonly ec2 eu-central-1 -- INC-1234 disk alarm'));

    // Assess
    expect(response.statusCode).toBe(200);
    const url = new URL(buttonUrl(response) ?? '');
    expect(url.origin + url.pathname).toBe(entry.aws.federationUrl);
    expect(url.searchParams.get('Destination')).toBe('https://console.aws.amazon.com/ec2/home?region=eu-central-1');
    const session = entry.aws.signinTokens.get(url.searchParams.get('SigninToken') ?? '');
    // The session name the browser entry would give the same person, so CloudTrail shows one name.
    expect(session).toMatchObject({ sessionName: 'alice@example.com', sourceIdentity: 'alice@example.com' });
    const facts = slackMessage(response).blocks?.[0]?.text?.text ?? '';
    expect(facts).toContain('`prod-readonly`');
    expect(facts).toContain('222222222222');
    expect(facts).toContain('eu-central-1');
    expect(facts).toContain('INC-1234 disk alarm');
    expect(facts).toMatch(/Works until\* <!date\^\d+\^/);
    const line = entry.logLines().at(-1);
    expect(line).toMatchObject({ entry: 'slack', route: 'login', target: 'prod-readonly', status: 200, outcome: 'login', sessionName: 'alice@example.com' });
    expect(String(line?.caller)).toBe('alice@example.com (Slack T0001ACME/U0001ALICE)');
  });

  it('takes service and region in either order, and the target default region without one', async () => {
    const response = await entry.invoke(await command('prod-readonly eu-central-1 s3'));
    expect(new URL(buttonUrl(response) ?? '').searchParams.get('Destination')).toBe('https://console.aws.amazon.com/s3/home?region=eu-central-1');

    const billing = await entry.invoke(await command('prod-billing', 'U0003CAROL'));
    expect(new URL(buttonUrl(billing) ?? '').searchParams.get('Destination')).toBe('https://console.aws.amazon.com/console/home?region=us-east-1');
  });

  it.each([
    ['prod-readonly ec2 investigating', /"investigating" is neither a console service nor a region; a reason goes after --/],
    ['prod-readonly ec2 s3', /give one service, not ec2 and s3/],
    ['-- no target', /name a target before the reason/],
    ['prod-readonly ec2 eu-central-1 -- line\u202Eoverride', /reason holds the character U\+202E/],
    ['nonexistent', /You may open no target named "nonexistent"; targets you may open: prod-readonly/],
  ])('answers misuse "%s" with a sentence that says what to do, never an error status', async (text, sentence) => {
    const before = entry.aws.callsTo('sts').length;

    const response = await entry.invoke(await command(text));

    expect(response.statusCode).toBe(200);
    const message = slackMessage(response);
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toMatch(sentence);
    expect(entry.aws.callsTo('sts').length).toBe(before);
  });

  it('refuses a person the people rules do not admit, in a sentence, before any AWS call, and logs a 403', async () => {
    const before = entry.aws.calls.length;

    const response = await entry.invoke(await command('prod-readonly', 'U0002BOB'));

    expect(response.statusCode).toBe(200);
    expect(slackMessage(response).text).toMatch(/You may open no target named "prod-readonly"\. No target is open to bob@example.com\./);
    expect(entry.aws.calls.length).toBe(before);
    expect(entry.logLines().at(-1)).toMatchObject({ entry: 'slack', status: 403, outcome: 'Forbidden', Refused: 1 });
  });

  it('tells a person without an e-mail address in Slack why nothing opens', async () => {
    const response = await entry.invoke(await command('', 'U0004DAVE'));

    expect(slackMessage(response).text).toMatch(/Slack gives console-broker no e-mail address for you/);
  });

  it('tells a person whose Slack account Slack does not know', async () => {
    const response = await entry.invoke(await command('', 'U0009GHOST'));

    expect(slackMessage(response).text).toMatch(/Slack does not show console-broker who you are/);
  });

  // Slack is asked about each person once in a few minutes: these ask about people it was not asked about yet.
  const newcomer = (id: string, email = 'erin@example.com'): string => {
    entry.slack.users.set(id, { id, team_id: TEAM_ID, is_email_confirmed: true, profile: { email } });
    return id;
  };

  it('answers with a sentence when the bot token lacks the scope for e-mail addresses', async () => {
    entry.slack.tokens.set([...entry.slack.tokens.keys()][0] ?? '', ['commands', 'users:read', 'usergroups:read']);

    const response = await entry.invoke(await command('prod-billing', newcomer('U0013CAROL', 'carol@example.com')));

    entry.slack.tokens.set([...entry.slack.tokens.keys()][0] ?? '', ['commands', 'users:read', 'users:read.email', 'usergroups:read']);
    expect(slackMessage(response).text).toMatch(/You may open no target named "prod-billing"/);
  });

  it('answers within Slack\'s three seconds when Slack\'s API is slow, with a sentence', async () => {
    entry.slack.mode = 'slow';
    const started = performance.now();

    const response = await entry.invoke(await command('prod-readonly', newcomer('U0010SLOW')));

    expect(performance.now() - started).toBeLessThan(2500);
    expect(response.statusCode).toBe(200);
    expect(slackMessage(response).text).toMatch(/Slack did not answer console-broker in time/);
    expect(entry.logLines().at(-1)).toMatchObject({ status: 504, outcome: 'SlackTimeout' });
  });

  // The last test here that asks Slack about a person: the broker then waits out Slack's Retry-After.
  it('answers with a sentence when Slack\'s API is down or rate-limits the broker', async () => {
    entry.slack.mode = 'down';
    expect(slackMessage(await entry.invoke(await command('prod-readonly', newcomer('U0011DOWN')))).text).toMatch(/could not reach Slack/);

    entry.slack.mode = 'ratelimited';
    expect(slackMessage(await entry.invoke(await command('prod-readonly', newcomer('U0012LIMITED')))).text).toMatch(/Slack is rate-limiting console-broker; try again in 30 s/);
  });

  it('acknowledges a click on its button with an empty 200, as Slack expects of an interactive message', async () => {
    // A link button still sends the app a block_actions payload: https://api.slack.com/reference/block-kit/block-elements#button
    const response = await entry.invoke(await signedSlackEvent(new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', team: { id: 'T0001ACME' } }) }).toString()));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });

  it('writes no secret to its log lines', () => {
    expect(findLeaks(entry.logText(), entry.aws)).toEqual([]);
    expect(entry.logText()).not.toContain('xoxb-');
  });
});

describe('the Slack entry beside a browser entry', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry({ env: { WEB_ENTRY_URL: WEB_ENTRY } });
  });

  afterAll(async () => {
    await entry.stop();
  });

  it('answers with a link into the browser entry, which signs the person in itself: no login URL, no call to STS', async () => {
    // Act
    const response = await entry.invoke(await command('prod-readonly ec2 eu-central-1 -- INC-1234'));

    // Assess
    expect(buttonUrl(response)).toBe(`${WEB_ENTRY}prod-readonly?service=ec2&region=eu-central-1&reason=INC-1234`);
    expect(entry.aws.callsTo('sts')).toEqual([]);
    expect(entry.aws.callsTo('federation')).toEqual([]);
    expect(entry.logLines().at(-1)).toMatchObject({ entry: 'slack', route: 'link', target: 'prod-readonly', status: 200 });
    expect(entry.logLines().at(-1)?.Login).toBeUndefined();
  });

  it('links to what the browser entry opens: its own parsing takes the link\'s path and every parameter', async () => {
    const link = new URL(buttonUrl(await entry.invoke(await command('prod-readonly ec2 eu-central-1 -- INC-1234'))) ?? '');
    const registry = registryFor(testConfig({ slack: SLACK_SECTION, targets: SLACK_TARGETS }));

    // The browser entry hands a GET to parseLogin with the person it signed in; here, anyone.
    const request = parseLogin(functionUrlEvent({ path: link.pathname, query: link.search.slice(1), callerArn: null }), registry, { id: 'alice', name: 'alice@example.com', mayOpen: () => true });

    expect(request).toMatchObject({ region: 'eu-central-1', reason: 'INC-1234', logout: false });
    expect(request.target.name).toBe('prod-readonly');
    expect(request.destination.href).toBe('https://console.aws.amazon.com/ec2/home?region=eu-central-1');
  });
});
