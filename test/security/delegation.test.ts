import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpError } from '../../lambda/core/errors';
import { callerIdentity } from '../../lambda/core/identity';
import { parseLoginRequest, takeOnBehalf } from '../../lambda/core/request';
import { registryFor } from '../../lib/broker-stack';
import { FakeAws } from '../fakes/aws';
import { ADMIN_CALLER, testConfig } from '../support/config';
import { functionUrlEvent } from '../support/events';
import { captureStdout, loadHandler, type Invoke } from '../support/handler';
import { findLeaks } from '../support/leaks';

// Threat: whoever can talk to a chat bot, or a bot itself, opens a target as somebody else: a bot that
// is no delegator names a person, a delegator names a person the target does not admit or vouches for
// groups it was not trusted with, or an odd form of an address passes for an allowed one.

const CHATOPS = 'arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot';
const TICKETS = 'arn:aws:sts::111111111111:assumed-role/ticket-bot/worker';
const READONLY_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';
const EXTERNAL_ID = 'delegationExternalId0123456789abcdefghijklmn';

/** prod-readonly: alice by e-mail, the sre group, chatops-bot vouching for sre; the ticket bot a delegator of every target, vouching for nothing. */
const registry = registryFor(
  testConfig({
    allowedDelegators: ['arn:aws:sts::111111111111:assumed-role/ticket-bot/*'],
    targets: [
      {
        name: 'prod-readonly',
        accountId: '222222222222',
        roleName: 'ConsoleBrokerReadOnly',
        allowedCallers: ['arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*', 'arn:aws:sts::111111111111:assumed-role/chatops-bot/*'],
        allowedEmails: ['alice@example.com', 'kate@example.com'],
        allowedGroups: ['sre'],
        allowedDelegators: [{ principal: 'arn:aws:sts::111111111111:assumed-role/chatops-bot/*', groups: ['sre'] }],
      },
      { name: 'prod-billing', accountId: '222222222222', roleName: 'ConsoleBrokerBilling', allowedEmails: ['carol@example.com'], requireReason: true },
    ],
  }),
);

type Json = Record<string, unknown>;
const json = (body: string | undefined): Json => JSON.parse(body ?? '') as Json;
const errorOf = (body: string | undefined): Json => json(body).error as Json;

describe('a bot that names the person it acts for, through the IAM entry', () => {
  const fake = new FakeAws();
  let invoke: Invoke;
  let stdout: ReturnType<typeof captureStdout>;
  const allOutput: string[] = [];

  beforeAll(async () => {
    await fake.start();
  });

  beforeEach(async () => {
    fake.roles.set(READONLY_ROLE, { externalId: EXTERNAL_ID });
    fake.secrets.set('console-broker/external-id/prod-readonly', EXTERNAL_ID);
    fake.calls.length = 0;
    stdout = captureStdout();
    invoke = await loadHandler(fake, { CONSOLE_BROKER_REGISTRY: JSON.stringify(registry) });
  });

  afterEach(() => {
    allOutput.push(stdout.text());
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  afterAll(async () => {
    expect(findLeaks(allOutput.join(''), fake)).toEqual([]);
    await fake.stop();
  });

  const ask = (callerArn: string, query: string, path = '/prod-readonly'): ReturnType<Invoke> =>
    invoke(functionUrlEvent({ callerArn, path, query, accept: 'application/json' }));

  function lastLine(): Json {
    return json(stdout.lines().at(-1));
  }

  it('opens the session as the person, and logs the bot and the person', async () => {
    // Act
    const response = await ask(CHATOPS, 'for=alice%40example.com&reason=INC-4711');

    // Assess
    expect(response.statusCode).toBe(200);
    const body = json(response.body);
    expect(body).toMatchObject({ target: 'prod-readonly', sessionName: 'alice@example.com', roleSessionName: 'bot=chatops-bot+slack-bot+111111111111', reason: 'INC-4711' });
    const session = fake.signinTokens.get(new URL(String(body.loginUrl)).searchParams.get('SigninToken') ?? '');
    // The target account's CloudTrail sees the person as SourceIdentity and the bot in the session's ARN.
    expect(session).toMatchObject({ sessionName: 'bot=chatops-bot+slack-bot+111111111111', sourceIdentity: 'alice@example.com' });
    expect(lastLine()).toMatchObject({
      route: 'login',
      caller: CHATOPS,
      person: 'alice@example.com',
      reason: 'INC-4711',
      sessionName: 'alice@example.com',
      roleSessionName: 'bot=chatops-bot+slack-bot+111111111111',
      status: 200,
    });
  });

  it('refuses a caller that is no delegator of the target with 403, before any AWS call', async () => {
    const response = await ask(ADMIN_CALLER, 'for=alice%40example.com');

    expect(response.statusCode).toBe(403);
    expect(errorOf(response.body).message).toBe(
      `${ADMIN_CALLER} may not act for a person on target "prod-readonly": it is not among the target's or the registry's allowedDelegators`,
    );
    expect(fake.calls).toEqual([]);
    expect(lastLine()).toMatchObject({ caller: ADMIN_CALLER, person: 'alice@example.com', status: 403, outcome: 'Forbidden' });
  });

  it('refuses a delegator naming a person the target does not admit, naming the person', async () => {
    // chatops-bot may open prod-readonly as itself: naming a person must not fall back to that.
    const response = await ask(CHATOPS, 'for=mallory%40example.com');

    expect(response.statusCode).toBe(403);
    expect(errorOf(response.body).message).toBe('mallory@example.com is not allowed to open target "prod-readonly"');
    expect(fake.calls).toEqual([]);
  });

  it('admits a person by a group only through a bot trusted to vouch for that group', async () => {
    const response = await ask(CHATOPS, 'for=mallory%40example.com&groups=sre');

    expect(response.statusCode).toBe(200);
    expect(json(response.body).sessionName).toBe('mallory@example.com');
    expect((await ask(TICKETS, 'for=mallory%40example.com&groups=sre')).statusCode).toBe(403);
  });

  it('refuses groups the bot may not vouch for', async () => {
    const unvouched = await ask(CHATOPS, 'for=mallory%40example.com&groups=admins');
    const vouchesForNone = await ask(TICKETS, 'for=mallory%40example.com&groups=sre');
    const oneOfTwo = await ask(CHATOPS, 'for=alice%40example.com&groups=sre,admins');

    expect(unvouched.statusCode).toBe(403);
    expect(errorOf(unvouched.body).message).toBe(`${CHATOPS} may not vouch for group "admins" on target "prod-readonly"`);
    expect(errorOf(vouchesForNone.body).message).toBe(`${TICKETS} may not vouch for group "sre" on target "prod-readonly"`);
    expect(oneOfTwo.statusCode).toBe(403);
    expect(fake.calls).toEqual([]);
  });

  it('refuses a person or groups parameter given twice with 400', async () => {
    const twice = await ask(CHATOPS, 'for=alice%40example.com&for=mallory%40example.com');
    const groupsTwice = await ask(CHATOPS, 'for=alice%40example.com&groups=sre&groups=admins');
    const groupsAlone = await ask(CHATOPS, 'groups=sre');

    expect(twice.statusCode).toBe(400);
    expect(errorOf(twice.body).message).toBe('parameter "for" is given more than once');
    expect(errorOf(groupsTwice.body).message).toBe('parameter "groups" is given more than once');
    expect(errorOf(groupsAlone.body).message).toBe('groups needs for: name the person the groups belong to');
  });

  it('compares odd forms of an address exactly: case folds in A-Z only, look-alikes and sub-addresses are other people', async () => {
    const upper = await ask(CHATOPS, `for=${encodeURIComponent('Alice@EXAMPLE.com')}`);
    expect(upper.statusCode).toBe(200);
    expect(json(upper.body).sessionName).toBe('alice@example.com');

    const others = {
      'a Cyrillic a': '\u0430lice@example.com',
      'the Kelvin sign for k': '\u212Aate@example.com',
      'a sub-address': 'alice+admin@example.com',
      'a fullwidth at sign': 'alice\uFF20example.com@example.com',
    };
    for (const [name, email] of Object.entries(others)) {
      const response = await ask(CHATOPS, `for=${encodeURIComponent(email)}`);
      expect(response.statusCode, name).toBe(403);
      expect(errorOf(response.body).message, name).toMatch(/ is not allowed to open target "prod-readonly"$/);
    }
    expect(fake.callsTo('sts')).toHaveLength(1);
  });

  it('refuses what is no e-mail address with 400', async () => {
    const malformed = {
      empty: '',
      'no at sign': 'alice',
      'two at signs': 'alice@example.com@evil.example',
      'a space': 'alice @example.com',
      'a line break': 'alice@example.com\nperson=admin',
      'a zero-width space': 'alice\u200B@example.com',
      'a right-to-left override': 'alice@\u202Emoc.elpmaxe',
      'an empty domain label': 'alice@example..com',
      'a local part over 64 bytes': `${'a'.repeat(65)}@example.com`,
      'over 254 bytes': `alice@${'e'.repeat(250)}.com`,
    };
    for (const [name, email] of Object.entries(malformed)) {
      const response = await ask(CHATOPS, `for=${encodeURIComponent(email)}`);
      expect(response.statusCode, name).toBe(400);
      expect(String(errorOf(response.body).message), name).toMatch(/^for /);
    }
    expect(fake.calls).toEqual([]);
  });

  it('refuses a reason with a line break, a control character, or over 200 characters', async () => {
    for (const reason of ['INC-1\nstatus=200', 'INC-1\r\nINC-2', 'INC-1\u001b[2J', 'INC-1\u2028INC-2', 'x'.repeat(201)]) {
      const response = await ask(CHATOPS, `for=alice%40example.com&reason=${encodeURIComponent(reason)}`);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response.body).message).toMatch(/^reason /);
    }
    expect(fake.calls).toEqual([]);
  });

  it('refuses a login without a reason on a target that requires one, with 400 ReasonRequired', async () => {
    const without = await ask(TICKETS, 'for=carol%40example.com', '/prod-billing');
    const blank = await ask(TICKETS, 'for=carol%40example.com&reason=%20%20', '/prod-billing');

    for (const response of [without, blank]) {
      expect(response.statusCode).toBe(400);
      expect(errorOf(response.body)).toMatchObject({ code: 'ReasonRequired', message: 'target "prod-billing" requires a reason for every login: give a ticket ID or a sentence in reason' });
    }
    expect(fake.calls).toEqual([]);
    expect(lastLine()).toMatchObject({ outcome: 'ReasonRequired', person: 'carol@example.com' });
  });

  it('lists what a delegator may open for the person, and refuses a caller that is no delegator', async () => {
    const forAlice = await ask(CHATOPS, 'for=alice%40example.com', '/targets');
    const forCarol = await ask(TICKETS, 'for=carol%40example.com', '/targets');
    const notDelegator = await ask(ADMIN_CALLER, 'for=alice%40example.com', '/targets');
    const other = await ask(CHATOPS, 'reason=x', '/targets');

    expect(json(forAlice.body)).toMatchObject({ caller: CHATOPS, person: 'alice@example.com', targets: [{ name: 'prod-readonly' }] });
    expect(json(forCarol.body)).toMatchObject({ person: 'carol@example.com', targets: [{ name: 'prod-billing' }] });
    expect(notDelegator.statusCode).toBe(403);
    expect(errorOf(notDelegator.body).message).toMatch(/may not act for a person: it is among no target's or the registry's allowedDelegators$/);
    expect(other.statusCode).toBe(400);
  });
});

describe('a caller that is no delegator, whatever it sends', () => {
  it('never gets a session named other than after itself', () => {
    const notDelegator = fc.oneof(
      fc.constant(ADMIN_CALLER),
      fc.stringMatching(/^[A-Za-z0-9_.@-]{1,20}$/).map((session) => `arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/${session}`),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/).map((role) => `arn:aws:sts::111111111111:assumed-role/chatops-bot-${role}/x`),
    );
    const person = fc.oneof(fc.emailAddress(), fc.constantFrom('alice@example.com', 'Alice@Example.com', 'kate@example.com'), fc.string());
    const groups = fc.option(fc.constantFrom('sre', 'admins', 'sre,admins'), { nil: undefined });
    fc.assert(
      fc.property(notDelegator, person, groups, (callerArn, email, group) => {
        const query = new URLSearchParams({ for: email, ...(group === undefined ? {} : { groups: group }) }).toString();
        const event = functionUrlEvent({ callerArn, query });
        try {
          const { onBehalf, rest } = takeOnBehalf(event.rawQueryString);
          const request = parseLoginRequest({ ...event, rawQueryString: rest }, registry, onBehalf);
          expect(request.sessionName).toBe(callerIdentity(callerArn));
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect([400, 403]).toContain((error as HttpError).status);
        }
      }),
    );
  });
});
