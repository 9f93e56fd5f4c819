/**
 * What a callback may cost the provider: one token exchange per sign-in (by its `state`), and at most
 * `perMinute` exchanges in any minute, in this execution environment. Anyone can get a sign-in cookie
 * and its state from /auth/signin, and each exchange goes to the provider's token endpoint with the
 * broker's client secret, where providers rate-limit per organization (Okta: one app may use half of
 * the org's token bucket by default, https://developer.okta.com/docs/reference/rl2-token-oauth).
 * Nothing is shared between execution environments: see the README's security model for the bound
 * across them.
 */
export type Admission = 'admitted' | 'spent' | 'busy';

const MINUTE_MS = 60_000;

export class TokenExchanges {
  /** Each spent state and when its sign-in cookie has expired for sure; in the order spent, so in expiry order. */
  private readonly spent = new Map<string, number>();
  /** When each exchange of the last minute was admitted, oldest first. */
  private readonly recent: number[] = [];

  /**
   * `stateLifetimeMs` is the sign-in cookie's lifetime: after it no cookie carries the state, so it
   * need not be kept. At most `perMinute` × its minutes of states are ever kept.
   */
  constructor(
    readonly perMinute: number,
    private readonly stateLifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends `state` on one exchange now; or `spent` if it had one, or `busy` if the minute's exchanges are used up (the state stays unspent). */
  admit(state: string): Admission {
    const now = this.now();
    for (const [old, until] of this.spent) {
      if (until > now) break;
      this.spent.delete(old);
    }
    while ((this.recent[0] ?? now) <= now - MINUTE_MS) this.recent.shift();
    if (this.spent.has(state)) return 'spent';
    if (this.recent.length >= this.perMinute) return 'busy';
    this.recent.push(now);
    this.spent.set(state, now + this.stateLifetimeMs);
    return 'admitted';
  }

  /** Seconds until the oldest exchange of the last minute leaves it, and one may be admitted again. */
  secondsUntilFree(): number {
    const oldest = this.recent[0];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + MINUTE_MS - this.now()) / 1000));
  }
}
