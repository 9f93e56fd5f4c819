import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerIdentity } from '../../lambda/core/identity';
import { personFromClaims, personMayOpen, personName, type Person } from '../../lambda/core/people';
import { FakeAws } from '../fakes/aws';
import type { RunningBundle } from '../support/bundle';
import { functionUrlEvent } from '../support/events';
import { startLoginBundle } from '../support/login-bundle';

// Threat: a caller chooses a session name (or has one truncated or replaced) so that the target's
// CloudTrail shows somebody else as the source identity.

// RoleSessionName and SourceIdentity: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const ALICE_SSO = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com';
const BOT_AS_ALICE = 'arn:aws:sts::111111111111:assumed-role/chatops-bot/alice@example.com';

describe('the source identity of a login, through the bundled Lambda', () => {
  const fake = new FakeAws();
  let bundle: RunningBundle;

  beforeAll(async () => {
    bundle = await startLoginBundle(fake, 'sourceIdentityExternalId0123456789abcdefghij');
  });

  afterAll(async () => {
    await bundle.stop();
    await fake.stop();
  });

  async function sourceIdentityOf(callerArn: string): Promise<string | undefined> {
    const response = await bundle.invoke(functionUrlEvent({ callerArn, accept: 'application/json' }));
    expect(response.statusCode).toBe(200);
    const token = new URL(String((JSON.parse(response.body ?? '{}') as { loginUrl?: string }).loginUrl)).searchParams.get('SigninToken') ?? '';
    const session = fake.signinTokens.get(token);
    expect(session?.sessionName).toBe(session?.sourceIdentity);
    return session?.sourceIdentity;
  }

  it('is the bare user name only for an IAM Identity Center session', async () => {
    expect(await sourceIdentityOf(ALICE_SSO)).toBe('alice@example.com');
  });

  it('names the role and account when any other role session is named like a person', async () => {
    // The chatops-bot's assumer picked the session name; it must not read as Alice.
    expect(await sourceIdentityOf(BOT_AS_ALICE)).toBe('chatops-bot+alice@example.com+111111111111');
  });
});

describe('caller identities', () => {
  it('tell apart every principal that shares the name alice@example.com', () => {
    const names = [
      ALICE_SSO,
      BOT_AS_ALICE,
      'arn:aws:iam::111111111111:user/alice@example.com',
      'arn:aws:sts::111111111111:federated-user/alice@example.com',
      'arn:aws:sts::333333333333:assumed-role/chatops-bot/alice@example.com',
      // A role that only looks like IAM Identity Center's: no 16-hex-digit suffix.
      'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin/alice@example.com',
    ].map(callerIdentity);

    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(2)).toEqual([
      'user=alice@example.com+111111111111',
      'federated-user=alice@example.com+111111111111',
      'chatops-bot+alice@example.com+333333333333',
      'AWSReservedSSO_Admin+alice@example.com+111111111111',
    ]);
  });

  it('keep long names that share a prefix apart, and readable', () => {
    const sso = (user: string): string => `arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/${user}`;
    const prefix = `${'a'.repeat(60)}.`;
    const first = callerIdentity(sso(`${prefix}one@example.com`));
    const second = callerIdentity(sso(`${prefix}two@example.com`));

    expect(first).not.toBe(second);
    expect(first).toMatch(STS_NAME);
    expect(first.startsWith('a'.repeat(46))).toBe(true);
  });

  it('keep letters outside ASCII apart from the hyphens that used to replace them', () => {
    const sso = (user: string): string => `arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/${user}`;

    expect(callerIdentity(sso('jörg@example.com'))).toBe('j,C3,B6rg@example.com');
    expect(callerIdentity(sso('j-rg@example.com'))).toBe('j-rg@example.com');
  });

  it('keep one-letter names apart instead of giving them a common fallback', () => {
    const sso = (user: string): string => `arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/${user}`;
    const [a, b] = [callerIdentity(sso('a')), callerIdentity(sso('b'))];

    expect(a).not.toBe(b);
    expect(a).toMatch(STS_NAME);
    expect(b).toMatch(STS_NAME);
  });

  // The separators and escape, characters STS refuses, letters outside ASCII, an emoji and a lone surrogate.
  const unit = fc.constantFrom(...'abcAZ09_+=,.@-/:öé'.split(''), '😀', '\uD800');
  const component = fc.string({ minLength: 1, maxLength: 70, unit });
  const account = fc.constantFrom('111111111111', '333333333333');
  const callerArn = fc.oneof(
    fc.tuple(account, component, component).map(([a, role, session]) => `arn:aws:sts::${a}:assumed-role/${role.replace(/[/:]/g, '')}/${session.replace(/[/:]/g, '')}`),
    fc.tuple(account, fc.constantFrom('Admin', 'ReadOnly'), component).map(([a, set, session]) => `arn:aws:sts::${a}:assumed-role/AWSReservedSSO_${set}_0123456789abcdef/${session.replace(/[/:]/g, '')}`),
    fc.tuple(account, component).map(([a, user]) => `arn:aws:iam::${a}:user/${user.replace(/[/:]/g, '')}`),
    fc.tuple(account, component).map(([a, user]) => `arn:aws:sts::${a}:federated-user/${user.replace(/[/:]/g, '')}`),
    account.map((a) => `arn:aws:iam::${a}:root`),
    fc.string({ maxLength: 120 }),
  );

  it('are valid for STS, whatever the ARN', () => {
    fc.assert(fc.property(callerArn, (arn) => STS_NAME.test(callerIdentity(arn))), { numRuns: 3000 });
  });

  it('differ for different principals (IAM Identity Center sessions of one user are one person)', () => {
    // The person behind an ARN: IAM Identity Center's user name, or the ARN itself.
    const person = (arn: string): string => /^arn:aws:sts::\d+:assumed-role\/AWSReservedSSO_\w+_[0-9a-f]{16}\/(.+)$/.exec(arn)?.[1] ?? arn;
    fc.assert(
      fc.property(callerArn, callerArn, (a, b) => {
        fc.pre(person(a) !== person(b));
        expect(callerIdentity(a)).not.toBe(callerIdentity(b));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('people signed in through the browser entry', () => {
  const person = (overrides: Partial<Person>): Person => ({
    issuer: 'https://company.okta.com',
    subject: '00u1abcd',
    email: 'alice@example.com',
    emailVerified: true,
    groups: [],
    ...overrides,
  });

  it('go by their e-mail address only when the provider verified it', () => {
    expect(personName(person({}))).toBe('alice@example.com');
    expect(personName(person({ emailVerified: false }))).toBe('oidc=company.okta.com+00u1abcd');
    expect(personName(person({ email: undefined, emailVerified: false, subject: 'x' }))).toBe('oidc=company.okta.com+x');
  });

  it('are valid for STS and differ whenever subject or verified e-mail differ', () => {
    const people = fc.record({
      issuer: fc.constantFrom('https://company.okta.com', 'https://login.example.com/realms/a', 'http://127.0.0.1:9400'),
      subject: fc.string({ minLength: 1, maxLength: 80 }),
      email: fc.option(fc.string({ minLength: 1, maxLength: 80 }), { nil: undefined }),
      emailVerified: fc.boolean(),
      groups: fc.constant([]),
    });
    const who = (p: Person): string => (p.emailVerified && p.email !== undefined ? `email ${p.email}` : `${p.issuer} ${p.subject}`);
    fc.assert(
      fc.property(people, people, (a, b) => {
        expect(personName(a)).toMatch(STS_NAME);
        fc.pre(who(a) !== who(b));
        expect(personName(a)).not.toBe(personName(b));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('e-mail addresses compared for allowedEmails', () => {
  it('are lower-cased in A-Z only: the Kelvin sign does not become k, so K-ate is not kate', () => {
    const target = { allowedEmails: ['kate@example.com'], allowedGroups: [] } as unknown as Parameters<typeof personMayOpen>[0];

    const lookalike = personFromClaims({ sub: 'x', email: '\u212Aate@example.com', email_verified: true }, 'https://idp.example.com', 'groups');
    const kate = personFromClaims({ sub: 'y', email: 'Kate@Example.com', email_verified: true }, 'https://idp.example.com', 'groups');

    expect(personMayOpen(target, lookalike)).toBe(false);
    expect(personMayOpen(target, kate)).toBe(true);
  });
});
