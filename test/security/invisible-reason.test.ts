import { describe, expect, it } from 'vitest';
import { HttpError } from '../../lambda/core/errors';
import { parseReason } from '../../lambda/core/reason';
import { REASON_REQUIRED, resolveLogin, type Caller } from '../../lambda/core/request';
import { registryFor } from '../../lib/broker-stack';
import { testConfig } from '../support/config';

// requireReason is satisfied by a "reason" nobody can see. parseReason refuses control and
// format characters (Cc, Cf, ...), and trim() removes white space, but several code points that render
// as nothing at all are letters, symbols or marks to Unicode, so they pass as a reason: a bot or a
// person in a hurry sends one and the target that "requires a reason for every login" opens, with a
// log line whose reason field looks empty.
const BLANK_LOOKING = {
  'U+3164 HANGUL FILLER (Lo)': '\u3164',
  'U+115F HANGUL CHOSEONG FILLER (Lo)': '\u115f',
  'U+FFA0 HALFWIDTH HANGUL FILLER (Lo)': '\uffa0',
  'U+2800 BRAILLE PATTERN BLANK (So)': '\u2800',
  'U+034F COMBINING GRAPHEME JOINER (Mn, default-ignorable)': '\u034f',
  'U+FE0F VARIATION SELECTOR-16 (Mn, default-ignorable)': '\ufe0f',
  'U+17B4 KHMER VOWEL INHERENT AQ (Mn, default-ignorable)': '\u17b4',
};

const registry = registryFor(
  testConfig({
    targets: [
      {
        name: 'prod-billing',
        accountId: '222222222222',
        roleName: 'ConsoleBrokerBilling',
        allowedCallers: ['arn:aws:sts::111111111111:assumed-role/chatops-bot/*'],
        requireReason: true,
      },
    ],
  }),
);
const BOT = 'arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot';
const caller: Caller = { id: BOT, name: 'chatops-bot+slack-bot+111111111111', mayOpen: () => true };

function outcome(reason: string): string {
  try {
    const request = resolveLogin(registry, caller, { target: 'prod-billing', reason });
    return `opened with reason ${JSON.stringify(request.reason)}`;
  } catch (error) {
    if (error instanceof HttpError) return error.code;
    throw error;
  }
}

describe('requireReason with a reason that shows as nothing', () => {
  it.each(Object.entries(BLANK_LOOKING))('%s alone is no reason', (_name, blank) => {
    // Whatever parseReason does with it (no reason, or a 400), it must not count as a reason.
    let parsed: string | undefined;
    try {
      parsed = parseReason(`  ${blank}${blank} `);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      parsed = undefined;
    }
    expect(parsed).toBeUndefined();
  });

  it.each(Object.entries(BLANK_LOOKING))('a target requiring a reason refuses %s as its reason', (_name, blank) => {
    expect(outcome(blank)).not.toMatch(/^opened/);
    expect([REASON_REQUIRED, 'BadRequest']).toContain(outcome(blank));
  });
});
