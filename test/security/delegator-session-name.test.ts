import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callerIdentity, delegatorSessionName } from '../../lambda/core/identity';
import { personName } from '../../lambda/core/people';

// Threat: a delegator bot that is an IAM Identity Center session has a user's name alone as its
// identity; as the RoleSessionName of a person it acts for, that would put alice's name on bob's session.
const IDENTITY_CENTER_BOT = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Bot_0123456789abcdef/alice@example.com';
const STS_NAME = /^[\w+=,.@-]{2,64}$/;

describe("a delegated session's RoleSessionName", () => {
  it('names the bot under a tag, never as the bare user name of an Identity Center session', () => {
    expect(callerIdentity(IDENTITY_CENTER_BOT)).toBe('alice@example.com');
    expect(delegatorSessionName(IDENTITY_CENTER_BOT)).toBe('bot=alice@example.com');
  });

  it("is valid for STS and never any caller's or person's identity", () => {
    const arn = fc.oneof(
      fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 })).map(([role, session]) => `arn:aws:sts::111111111111:assumed-role/${role}/${session}`),
      fc.string({ minLength: 1 }).map((session) => `arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Bot_0123456789abcdef/${session}`),
      fc.string(),
    );
    fc.assert(
      fc.property(arn, arn, fc.emailAddress(), (bot, other, email) => {
        const name = delegatorSessionName(bot);
        expect(name).toMatch(STS_NAME);
        expect(name.startsWith('bot=')).toBe(true);
        expect(name).not.toBe(callerIdentity(other));
        expect(name).not.toBe(personName({ issuer: 'https://idp.example.com', subject: email, email, emailVerified: true, groups: [] }));
      }),
    );
  });
});
