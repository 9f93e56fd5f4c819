import { BROKER_CREDENTIALS, type FakeAws } from '../fakes/aws';

/**
 * Every secret the fakes handed out or hold: external IDs, the broker's and the issued credentials,
 * sign-in tokens. Login URLs are built from tokens, so a URL in a log shows up as its token.
 */
function secretsOf(fake: FakeAws): string[] {
  const sessions = [...fake.sessions.values()].flatMap((s) => [s.accessKeyId, s.secretAccessKey, s.sessionToken]);
  return [
    ...[...fake.roles.values()].flatMap((r) => ('externalId' in r ? [r.externalId] : [])),
    ...fake.secrets.values(),
    BROKER_CREDENTIALS.accessKeyId,
    BROKER_CREDENTIALS.secretAccessKey,
    BROKER_CREDENTIALS.sessionToken ?? '',
    ...sessions,
    ...fake.signinTokens.keys(),
  ].filter((s) => s.length >= 8);
}

/** The secrets that appear in `text`, plus anything shaped like a sign-in URL or an access key ID. */
export function findLeaks(text: string, fake: FakeAws): string[] {
  const leaks = secretsOf(fake).filter((secret) => text.includes(secret));
  if (/SigninToken=/i.test(text)) leaks.push('a SigninToken parameter');
  if (/ASIA[A-Z0-9]{16}/.test(text)) leaks.push('an access key ID');
  return leaks;
}
