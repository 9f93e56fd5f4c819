import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOCTOR_SESSION_NAME } from '../../lambda/doctor/doctor';
import { callerIdentity } from '../../lambda/core/identity';
import { personName } from '../../lambda/core/people';

// Threat: a person or principal whose session name reads as the doctor's, so that a target account's
// CloudTrail shows their console session as the broker's own health check.

/** The words before `=` that lambda/core/identity.ts and people.ts write; every other `=` is escaped. */
const CALLER_TAGS = ['user', 'federated-user', 'root', 'arn'];
const PERSON_TAGS = ['oidc', 'oidc-issuer'];

// Names near the doctor's, so that the properties meet it, beside arbitrary text.
const name = fc.oneof(
  fc.constantFrom(DOCTOR_SESSION_NAME, ...DOCTOR_SESSION_NAME.split('='), DOCTOR_SESSION_NAME.replace('=', ',3D')),
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('d', 'o', 'c', 't', 'r', '=', '-', 'b', 'k', 'e', ','), minLength: 1, maxLength: 30 }),
);
const account = fc.oneof(fc.constant('111111111111'), fc.stringMatching(/^\d{12}$/), name);
const callerArn = fc.oneof(
  fc.tuple(account, name).map(([a, n]) => `arn:aws:sts::${a}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/${n}`),
  fc.tuple(account, name, name).map(([a, role, session]) => `arn:aws:sts::${a}:assumed-role/${role}/${session}`),
  fc.tuple(account, name).map(([a, n]) => `arn:aws:iam::${a}:user/${n}`),
  fc.tuple(account, name).map(([a, n]) => `arn:aws:sts::${a}:federated-user/${n}`),
  account.map((a) => `arn:aws:iam::${a}:root`),
  name,
);
const person = fc.record({
  issuer: fc.oneof(fc.constant('https://idp.example.com'), name),
  subject: name,
  email: fc.option(name, { nil: undefined }),
  emailVerified: fc.boolean(),
  groups: fc.constant([]),
});

/** Not the doctor's, and with at most one `=`, after one of `tags`. */
function expectNotTheDoctor(identity: string, tags: readonly string[]): void {
  expect(identity).not.toBe(DOCTOR_SESSION_NAME);
  const parts = identity.split('=');
  expect(parts.length).toBeLessThanOrEqual(2);
  if (parts.length === 2) expect(tags).toContain(parts[0]);
}

describe("the doctor's SourceIdentity and session name", () => {
  it('is taken by no IAM caller: an identity holds at most one `=`, after a word the doctor does not use', () => {
    fc.assert(fc.property(callerArn, (arn) => { expectNotTheDoctor(callerIdentity(arn), CALLER_TAGS); }), { numRuns: 2000 });
  });

  it('is taken by no person signed in at the OpenID provider', () => {
    fc.assert(fc.property(person, (p) => { expectNotTheDoctor(personName(p), PERSON_TAGS); }), { numRuns: 2000 });
  });

  it('holds its `=` after a word that neither kind of identity uses, and fits STS', () => {
    const [tag] = DOCTOR_SESSION_NAME.split('=');

    expect(DOCTOR_SESSION_NAME).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect([...CALLER_TAGS, ...PERSON_TAGS]).not.toContain(tag);
    expect(DOCTOR_SESSION_NAME.split('=')).toHaveLength(2);
  });
});
