import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../lambda/core/errors';
import { MAX_REASON_LENGTH, parseReason } from '../lambda/core/reason';

function refusal(value: string): HttpError {
  try {
    parseReason(value);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`parseReason accepted ${JSON.stringify(value)}`);
}

describe('parseReason', () => {
  it('keeps a ticket ID or a sentence, trimmed', () => {
    expect(parseReason('  INC-4711 ')).toBe('INC-4711');
    expect(parseReason('Customer ticket 1234: billing looks wrong, checking Cost Explorer')).toBe(
      'Customer ticket 1234: billing looks wrong, checking Cost Explorer',
    );
    expect(parseReason('Störung bei Kunde ÄÖÜ — 障害対応')).toBe('Störung bei Kunde ÄÖÜ — 障害対応');
  });

  it('takes absent or blank as no reason', () => {
    expect(parseReason(undefined)).toBeUndefined();
    expect(parseReason('')).toBeUndefined();
    expect(parseReason(' \t\n ')).toBeUndefined();
  });

  it(`counts characters, not UTF-16 units: ${String(MAX_REASON_LENGTH)} astral letters pass, one more does not`, () => {
    // U+1D400, a letter outside the BMP: two UTF-16 units each.
    expect(parseReason('𝐀'.repeat(MAX_REASON_LENGTH))).toBe('𝐀'.repeat(MAX_REASON_LENGTH));
    const error = refusal('𝐀'.repeat(MAX_REASON_LENGTH + 1));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/201 characters long; give at most 200/);
  });

  it('refuses with 400 whatever could make a log line or a page read differently', () => {
    for (const char of ['\n', '\r', '\u0000', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\u202e', '\u200b', '\u2066', '\ufeff', '\ud800', '\ue000']) {
      const error = refusal(`INC-1${char}INC-2`);
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/^reason holds the character U\+[0-9A-F]{4} .*one line of plain text$/);
    }
  });

  it('never returns a reason with a line break, a control character or more than the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (value) => {
        let reason: string | undefined;
        try {
          reason = parseReason(value);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          return;
        }
        if (reason === undefined) return;
        expect(reason).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
        expect(Array.from(reason).length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
        expect(reason).toBe(reason.trim());
      }),
    );
  });
});
