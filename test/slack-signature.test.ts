import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../lambda/slack/signature';
import { signAsSlack, slackWouldAccept } from './support/slack';

/**
 * lambda/slack/signature.ts against an independent implementation of Slack's rule (test/support/slack.ts,
 * Web Crypto), both ways, on arbitrary secrets, bodies and times.
 */
const secret = fc.string({ minLength: 1, maxLength: 64 });
const body = fc.uint8Array({ maxLength: 512 });
const now = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });

describe('Slack request signatures', () => {
  it('the broker accepts what Slack signs, within five minutes either way', async () => {
    await fc.assert(
      fc.asyncProperty(secret, body, now, fc.integer({ min: -300, max: 300 }), async (key, bytes, at, skew) => {
        const timestamp = String(at + skew);
        const signature = await signAsSlack(key, timestamp, bytes);
        expect(verifySlackSignature(key, timestamp, signature, Buffer.from(bytes), at)).toEqual({ ok: true });
      }),
    );
  });

  it('the broker computes the signature Slack computes', async () => {
    await fc.assert(
      fc.asyncProperty(secret, body, now, async (key, bytes, at) => {
        const timestamp = String(at);
        expect(await slackWouldAccept(key, timestamp, slackSignature(key, timestamp, Buffer.from(bytes)), bytes, at)).toBe(true);
      }),
    );
  });

  it('any changed byte, another secret, or a time outside the window is refused', async () => {
    await fc.assert(
      fc.asyncProperty(secret, body.filter((b) => b.length > 0), now, fc.nat(), fc.integer({ min: 1, max: 255 }), async (key, bytes, at, index, flip) => {
        const timestamp = String(at);
        const signature = await signAsSlack(key, timestamp, bytes);
        const tampered = Uint8Array.from(bytes);
        const i = index % tampered.length;
        tampered[i] = (tampered[i] ?? 0) ^ flip;
        expect(verifySlackSignature(key, timestamp, signature, Buffer.from(tampered), at).ok).toBe(false);
        expect(verifySlackSignature(`${key}x`, timestamp, signature, Buffer.from(bytes), at).ok).toBe(false);
        expect(verifySlackSignature(key, timestamp, signature, Buffer.from(bytes), at + 301).ok).toBe(false);
        expect(await slackWouldAccept(key, timestamp, signature, bytes, at - 301)).toBe(false);
      }),
    );
  });
});
