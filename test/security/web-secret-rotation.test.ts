import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES, cookieKeys, unseal } from '../../lambda/web/cookies';
import { sessionKeyRing } from '../../lambda/web/web-secrets';
import { CLIENT_SECRET, CLIENT_SECRET_ID, SESSION_KEY_ID, startWebEntry, TYPED, type WebEntry } from '../support/web-entry';

const MAX_AGE_SECONDS = 1;
const afterMaxAge = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, MAX_AGE_SECONDS * 1000 + 200));

describe('a warm browser entry picks up rotated secrets within the bound', () => {
  let web: WebEntry;

  beforeAll(async () => {
    web = await startWebEntry({ env: { WEB_SECRET_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS) } });
  });

  afterAll(async () => {
    await web.stop();
  });

  const home = async (session: string): Promise<number> =>
    (await web.request('/', { cookies: { [COOKIE_NAMES.session]: session }, headers: TYPED })).status;

  it('seals with a new session key, and still opens cookies sealed just before the rotation', async () => {
    // Prepare
    const before = await web.session();
    expect(await home(before)).toBe(200);
    const rotated = cookieKeys(randomBytes(32).toString('base64url'));
    const newKey = randomBytes(32).toString('base64url');
    const newKeys = cookieKeys(newKey);

    // Act
    web.aws.secrets.set(SESSION_KEY_ID, newKey);
    await afterMaxAge();
    const { cookies } = await web.signIn('alice', '/');

    // Assess
    expect(await home(await web.session({}, newKeys))).toBe(200);
    expect((await unseal(cookies[COOKIE_NAMES.session] ?? '', newKeys.session, 'session')).ok).toBe(true);
    expect(await home(before)).toBe(200);
    expect(await home(await web.session({}, rotated))).toBe(401);
  });

  it('signs in with a rotated client secret once it is in Secrets Manager', async () => {
    // Prepare: the provider issued a new secret, and the old one is still in Secrets Manager.
    web.aws.secrets.set(CLIENT_SECRET_ID, 'a-client-secret-the-provider-replaced');
    await afterMaxAge();
    const refused = await web.signIn('alice', '/');

    // Act
    web.aws.secrets.set(CLIENT_SECRET_ID, CLIENT_SECRET);
    await afterMaxAge();
    const { callback } = await web.signIn('alice', '/');

    // Assess
    expect(refused.callback.status).toBe(400);
    expect(refused.callback.body).toContain('invalid_client');
    expect(callback.status).toBe(302);
    expect(callback.setCookies.some((c) => c.startsWith(`${COOKIE_NAMES.session}=`))).toBe(true);
  });
});

describe('the previous session key', () => {
  const hour = 3600_000;
  const current = { value: 'the-current-session-key', createdAt: new Date('2025-01-01T12:00:00Z') };
  const previous = { value: 'the-previous-session-key', createdAt: new Date('2024-12-01T12:00:00Z') };

  it('opens cookies until a session sealed just before the rotation would have expired', () => {
    const ring = sessionKeyRing(current, previous, hour);

    expect(ring.openWith(current.createdAt.getTime() + hour - 1)).toHaveLength(2);
    expect(ring.openWith(current.createdAt.getTime() + hour)).toEqual([ring.current]);
  });

  it('opens nothing when the rotation time is unknown or there was no rotation', () => {
    expect(sessionKeyRing({ ...current, createdAt: undefined }, previous, hour).openWith(0)).toHaveLength(1);
    expect(sessionKeyRing(current, undefined, hour).openWith(0)).toHaveLength(1);
  });
});
