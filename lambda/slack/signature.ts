import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's request signing, as "Verifying requests from Slack" specifies it
 * (https://api.slack.com/authentication/verifying-requests-from-slack): `X-Slack-Signature` is `v0=`
 * and the hex HMAC-SHA256, keyed with the app's signing secret, of `v0:<X-Slack-Request-Timestamp>:<raw body>`;
 * a timestamp more than five minutes from the local clock may be a replay and is refused.
 */
export const SIGNATURE_VERSION = 'v0';
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

const SIGNATURE = /^v0=([0-9a-f]{64})$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

export type SignatureVerdict = { readonly ok: true } | { readonly ok: false; readonly problem: string };

/** The signature Slack would send for this body at this time. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SIGNATURE_VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

/**
 * Checks a request's signature over the exact bytes Slack sent, in constant time, and its timestamp
 * within five minutes either way. Any other version than `v0` is refused: Slack has published no other.
 */
export function verifySlackSignature(
  signingSecret: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  rawBody: Buffer,
  nowSeconds: number,
): SignatureVerdict {
  if (timestampHeader === undefined || signatureHeader === undefined) return { ok: false, problem: 'the request carries no X-Slack-Signature or X-Slack-Request-Timestamp' };
  if (!TIMESTAMP.test(timestampHeader)) return { ok: false, problem: 'X-Slack-Request-Timestamp is not a Unix time in seconds' };
  if (Math.abs(nowSeconds - Number(timestampHeader)) > MAX_CLOCK_SKEW_SECONDS) return { ok: false, problem: 'X-Slack-Request-Timestamp is more than five minutes from now' };
  const given = SIGNATURE.exec(signatureHeader)?.[1];
  if (given === undefined) return { ok: false, problem: 'X-Slack-Signature is not v0= and 64 hex digits' };
  const expected = Buffer.from(slackSignature(signingSecret, timestampHeader, rawBody).slice(SIGNATURE_VERSION.length + 1), 'hex');
  // Both are 32 bytes here, as timingSafeEqual requires.
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: false, problem: 'X-Slack-Signature does not match the body' };
  return { ok: true };
}
