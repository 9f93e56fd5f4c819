import { cookieKeys, type CookieKeys } from './cookies';
import type { SecretVersion } from '../core/secrets';

/** The cookie keys to seal with, and every key a cookie may still be opened with at a given time. */
export interface SessionKeyRing {
  readonly current: CookieKeys;
  openWith(now: number): readonly CookieKeys[];
}

/**
 * Keys from the session key secret's AWSCURRENT and AWSPREVIOUS versions. A cookie sealed before a
 * rotation lives at most `graceMs`, so the previous key opens cookies only until that long after the
 * current version was put: a rotation signs no one out, and a leaked old key stops working soon after.
 */
export function sessionKeyRing(current: SecretVersion, previous: SecretVersion | undefined, graceMs: number): SessionKeyRing {
  const currentKeys = cookieKeys(current.value);
  const previousKeys = previous && previous.value !== current.value ? cookieKeys(previous.value) : undefined;
  const previousUntil = current.createdAt ? current.createdAt.getTime() + graceMs : 0;
  return {
    current: currentKeys,
    openWith: (now) => (previousKeys && now < previousUntil ? [currentKeys, previousKeys] : [currentKeys]),
  };
}
