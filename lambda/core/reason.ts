import { badRequest } from './errors';

/** The longest reason, in characters (code points): a ticket ID or a sentence, not a report. */
export const MAX_REASON_LENGTH = 200;

/**
 * Characters that would make a reason read differently in a log line, a terminal or a page than it
 * was typed: control characters (line breaks, escape sequences), invisible format characters
 * (bidirectional overrides that reorder what follows, zero-width joiners), line and paragraph
 * separators, lone surrogates, private-use and unassigned code points.
 */
export const AMBIGUOUS_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;

/**
 * Code points that render as nothing where they stand (fillers, joiners, variation selectors), which a
 * log or a page shows as blank: https://www.unicode.org/reports/tr44/#Default_Ignorable_Code_Point.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
/** Something a person reads: a letter or a digit (a blank Braille pattern is a symbol, not a word). */
const WORDLIKE = /[\p{L}\p{N}]/u;

export function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why a login is asked for (a ticket ID or a sentence), as every entry accepts it: trimmed, on one line
 * of plain text, at most 200 characters. Absent or blank is no reason; anything else that does not fit
 * is a 400 that says what to change.
 */
export function parseReason(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Invisible characters go first: a reason of Hangul fillers would otherwise meet requireReason while
  // reading as empty. Format characters among them are refused below, as they were typed.
  const reason = value.replace(INVISIBLE, (char) => (AMBIGUOUS_CHARACTER.test(char) ? char : '')).trim();
  if (reason === '') return undefined;
  const bad = AMBIGUOUS_CHARACTER.exec(reason);
  if (bad) {
    throw badRequest(`reason holds the character ${codePointName(bad[0])} (a line break, control or invisible formatting character); write it as one line of plain text`);
  }
  // Code points, as people count: a UTF-16 length would count an emoji twice.
  const length = Array.from(reason).length;
  if (length > MAX_REASON_LENGTH) {
    throw badRequest(`reason is ${String(length)} characters long; give at most ${String(MAX_REASON_LENGTH)}, such as a ticket ID`);
  }
  if (!WORDLIKE.test(reason)) throw badRequest('reason holds no letter or digit; say why, such as a ticket ID');
  return reason;
}
