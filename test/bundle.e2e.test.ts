import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from './fakes/aws';
import type { RunningBundle } from './support/bundle';
import { functionUrlEvent } from './support/events';
import { findLeaks } from './support/leaks';
import { PROD_READONLY_ROLE, startLoginBundle } from './support/login-bundle';

// The bundle in cdk.out carries the registry of config/console-broker.json.
const ROLE_ARN = PROD_READONLY_ROLE;
const EXTERNAL_ID = 'e2eExternalId0123456789abcdefghijABCDEFGHIJ';
const ADMIN = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com';

describe('the bundled Lambda asset from cdk.out, in a fresh Node.js process', () => {
  const fake = new FakeAws();
  let bundle: RunningBundle;

  beforeAll(async () => {
    bundle = await startLoginBundle(fake, EXTERNAL_ID);
  });

  afterAll(async () => {
    await bundle.stop();
    await fake.stop();
  });

  it('redirects a browser to a login URL that holds the sign-in token', async () => {
    // Act
    const response = await bundle.invoke(functionUrlEvent({ callerArn: ADMIN, accept: 'text/html,application/xhtml+xml', query: 'service=ec2&region=eu-central-1' }));

    // Assess
    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers?.location));
    expect(location.origin + location.pathname).toBe(fake.federationUrl);
    expect(location.searchParams.get('Action')).toBe('login');
    expect(fake.signinTokens.has(location.searchParams.get('SigninToken') ?? '')).toBe(true);
    expect(location.searchParams.get('Destination')).toBe('https://console.aws.amazon.com/ec2/home?region=eu-central-1');
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(response.headers?.['referrer-policy']).toBe('no-referrer');
    const session = fake.signinTokens.get(location.searchParams.get('SigninToken') ?? '');
    expect(session).toMatchObject({ roleArn: ROLE_ARN, sessionName: 'alice@example.com', sourceIdentity: 'alice@example.com' });
  });

  it('answers a bot with JSON', async () => {
    const response = await bundle.invoke(functionUrlEvent({ accept: 'application/json' }));

    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? '') as Record<string, string>;
    expect(body).toMatchObject({ target: 'prod-readonly', accountId: '222222222222', roleArn: ROLE_ARN, region: 'eu-west-1' });
    expect(new URL(body.loginUrl ?? '').searchParams.get('SigninToken')).toBeTruthy();
  });

  it('refuses a caller outside the target list with 403, before any AWS call', async () => {
    const before = fake.calls.length;

    const response = await bundle.invoke(functionUrlEvent({ callerArn: 'arn:aws:sts::111111111111:assumed-role/Intern/bob', accept: 'application/json' }));

    expect(response.statusCode).toBe(403);
    expect(fake.calls.length).toBe(before);
  });

  it('answers 502 when STS refuses the external ID, after re-reading the secret once', async () => {
    // Prepare: the target was redeployed with a new ID that the secret does not hold
    fake.roles.set(ROLE_ARN, { externalId: 'aDifferentExternalIdThatTheSecretDoesNotHold' });
    const before = fake.callsTo('secretsmanager').length;

    // Act
    const response = await bundle.invoke(functionUrlEvent({ accept: 'application/json' }));

    // Assess
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: { code: 'AssumeRoleDenied' } });
    expect(fake.callsTo('secretsmanager').length).toBe(before + 1);
    fake.roles.set(ROLE_ARN, { externalId: EXTERNAL_ID });
  });

  it('answers 502 when the federation endpoint answers with HTML', async () => {
    fake.federationMode = 'html';

    const response = await bundle.invoke(functionUrlEvent({ accept: 'text/html' }));

    fake.federationMode = 'ok';
    expect(response.statusCode).toBe(502);
    expect(response.headers?.['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('HTML page instead of a sign-in token');
  });

  it('writes one JSON log line per request and never a secret', () => {
    // Node.js's own warnings (such as the SDK's notice about Node.js 20) are not ours to shape.
    const lines = bundle.output().split('\n').filter((line) => line.startsWith('{'));
    const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.message === 'request');

    expect(requests).toHaveLength(5);
    expect(requests[0]).toMatchObject({ caller: ADMIN, target: 'prod-readonly', region: 'eu-central-1', status: 302, outcome: 'login' });
    expect(findLeaks(bundle.output(), fake)).toEqual([]);
  });
});
