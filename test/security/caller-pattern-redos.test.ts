import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../lambda/core/registry';

// Threat: an allowedCallers pattern with many `*` and a long caller ARN make matching take longer than
// the Lambda's 15 s timeout, so every login that reaches the pattern fails.

/** StringLike by its definition, memoized so that it is obviously right and still finishes. */
function reference(pattern: string, value: string): boolean {
  const memo = new Map<string, boolean>();
  const match = (p: number, v: number): boolean => {
    const key = `${p},${v}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (p === pattern.length) result = v === value.length;
    else if (pattern[p] === '*') result = match(p + 1, v) || (v < value.length && match(p, v + 1));
    else result = v < value.length && (pattern[p] === '?' || pattern[p] === value[v]) && match(p + 1, v + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

describe('caller pattern matching', () => {
  it('answers a pathological pattern against a long ARN in linear time', () => {
    // Prepare: a backtracking regex tries every way to share the a's among the stars before it fails,
    // seconds for the longest role and session names IAM allows (64 each)
    const pattern = `arn:aws:sts::111111111111:assumed-role/${'*a'.repeat(4)}*b`;
    const callerArn = `arn:aws:sts::111111111111:assumed-role/${'a'.repeat(64)}/${'a'.repeat(64)}`;

    // Act
    const started = performance.now();
    const matched = matchesPattern(pattern, callerArn);
    const elapsedMs = performance.now() - started;

    // Assess
    expect(matched).toBe(false);
    expect(elapsedMs).toBeLessThan(250);

    // Far more stars and a far longer value stay within the bound: steps grow as pattern × value.
    const many = performance.now();
    expect(matchesPattern(`${'*a'.repeat(50)}*b`, 'a'.repeat(10_000))).toBe(false);
    expect(performance.now() - many).toBeLessThan(250);
  });

  it('agrees with StringLike on every pattern and value', () => {
    const text = (units: string[]): fc.Arbitrary<string> => fc.string({ maxLength: 24, unit: fc.constantFrom(...units) });
    fc.assert(
      fc.property(text(['a', 'b', '/', '*', '?', '.']), text(['a', 'b', '/', '.', '*', '?']), (pattern, value) => {
        expect(matchesPattern(pattern, value)).toBe(reference(pattern, value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('lets * cross / as StringLike does, so a pattern should end in the exact role name', () => {
    const wide = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*';
    const exact = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/*';

    expect(matchesPattern(wide, 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_Shadow/alice@example.com')).toBe(true);
    expect(matchesPattern(exact, 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_Shadow/alice@example.com')).toBe(false);
    expect(matchesPattern(exact, 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com')).toBe(true);
  });
});
