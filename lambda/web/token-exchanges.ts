/**
 * What a callback may cost the provider: one token exchange per sign-in (by its `state`), and at most
 * `perMinute` exchanges in any minute, in this execution environment. Anyone can get a sign-in cookie
 * and its state from /auth/signin, and each exchange goes to the provider's token endpoint with the
 * broker's client secret, where providers rate-limit per organization (Okta: one app may use half of
 * the org's token bucket by default, https://developer.okta.com/docs/reference/rl2-token-oauth).
 * Nothing is shared between execution environments: see the README's security model for the bound
 * across them. One source address may start at most `perSourcePerMinute` of them, so that an outsider
 * replaying forged callbacks from one address cannot use up the minute's exchanges of everyone else.
 */
export type Admission = 'admitted' | 'spent' | 'busy';

const MINUTE_MS = 60_000;

export class TokenExchanges {
  /** Each spent state and when its sign-in cookie has expired for sure; in the order spent, so in expiry order. */
  private readonly spent = new Map<string, number>();
  /** When each exchange of the last minute was admitted, oldest first. */
  private readonly recent: number[] = [];
  /** The same, per source address; only addresses with an exchange in the last minute, so at most `perMinute` of them. */
  private readonly recentBySource = new Map<string, number[]>();

  /**
   * `stateLifetimeMs` is the sign-in cookie's lifetime: after it no cookie carries the state, so it
   * need not be kept. At most `perMinute` × its minutes of states are ever kept.
   */
  constructor(
    readonly perMinute: number,
    readonly perSourcePerMinute: number,
    private readonly stateLifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Spends `state` on one exchange now for a callback from `source`; or `spent` if it had one, or `busy`
   * if the minute's exchanges, or that source's share of them, are used up (the state stays unspent).
   */
  admit(state: string, source: string): Admission {
    const now = this.now();
    for (const [old, until] of this.spent) {
      if (until > now) break;
      this.spent.delete(old);
    }
    dropOlderThanAMinute(this.recent, now);
    for (const [address, times] of this.recentBySource) {
      dropOlderThanAMinute(times, now);
      if (times.length === 0) this.recentBySource.delete(address);
    }
    if (this.spent.has(state)) return 'spent';
    const fromSource = this.recentBySource.get(source) ?? [];
    if (this.recent.length >= this.perMinute || fromSource.length >= this.perSourcePerMinute) return 'busy';
    this.recent.push(now);
    this.recentBySource.set(source, [...fromSource, now]);
    this.spent.set(state, now + this.stateLifetimeMs);
    return 'admitted';
  }

  /** Seconds until a callback from `source` may be admitted again: its share and the minute's both have room. */
  secondsUntilFree(source: string): number {
    const untilRoom = (times: readonly number[], limit: number): number => {
      const oldest = times[0];
      return times.length < limit || oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + MINUTE_MS - this.now()) / 1000));
    };
    return Math.max(untilRoom(this.recent, this.perMinute), untilRoom(this.recentBySource.get(source) ?? [], this.perSourcePerMinute));
  }
}

function dropOlderThanAMinute(times: number[], now: number): void {
  while ((times[0] ?? now) <= now - MINUTE_MS) times.shift();
}
