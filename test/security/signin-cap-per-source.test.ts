import { describe, expect, it } from 'vitest';
import { TokenExchanges } from '../../lambda/web/token-exchanges';

const TEN_MINUTES_MS = 10 * 60_000;

/**
 * Anyone can get a sign-in cookie and its state from /auth/signin and replay forged callbacks, each of
 * which costs one of the minute's token exchanges: from one address, an outsider must not be able to
 * take them all and leave everyone else with 429 SignInBusy.
 */
describe("one source address cannot use up everyone's token exchanges", () => {
  it('stops an address at its share while another address still signs in', () => {
    // Prepare
    let now = 1_000_000;
    const exchanges = new TokenExchanges(60, 20, TEN_MINUTES_MS, () => now);

    // Act
    const flood = Array.from({ length: 60 }, (_, i) => exchanges.admit(`forged-${String(i)}`, '198.51.100.7'));
    const colleague = exchanges.admit('real-sign-in', '203.0.113.20');

    // Assess
    expect(flood.filter((a) => a === 'admitted')).toHaveLength(20);
    expect(flood.slice(20).every((a) => a === 'busy')).toBe(true);
    expect(colleague).toBe('admitted');
    expect(exchanges.secondsUntilFree('198.51.100.7')).toBe(60);
    expect(exchanges.secondsUntilFree('203.0.113.20')).toBe(0);

    // A minute later the address has its share again.
    now += 60_000;
    expect(exchanges.admit('forged-again', '198.51.100.7')).toBe('admitted');
  });

  it('still caps the minute across addresses', () => {
    const exchanges = new TokenExchanges(3, 2, TEN_MINUTES_MS, () => 0);

    const answers = ['a', 'b', 'c', 'd'].map((state, i) => exchanges.admit(state, `192.0.2.${String(i)}`));

    expect(answers).toEqual(['admitted', 'admitted', 'admitted', 'busy']);
  });
});
