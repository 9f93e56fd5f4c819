import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedSlackEvent, slashCommandForm, SLACK_SIGNING_SECRET } from '../support/slack';
import { slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

/**
 * Requests that did not come from Slack, or came from it for someone else: each is refused before the
 * broker asks Slack or AWS anything (beyond reading the signing secret), a bad signature with 401 and a
 * plain body. https://api.slack.com/authentication/verifying-requests-from-slack
 */
describe('the Slack entry refuses forged, replayed and foreign requests', () => {
  let entry: SlackEntry;
  const body = slashCommandForm({ text: 'prod-readonly' });

  beforeAll(async () => {
    entry = await startSlackEntry();
  });

  afterAll(async () => {
    await entry.stop();
  });

  const refusedWith401 = async (event: Awaited<ReturnType<typeof signedSlackEvent>>, problem: RegExp): Promise<void> => {
    const slackCalls = entry.slack.calls.length;
    const stsCalls = entry.aws.callsTo('sts').length;

    const response = await entry.invoke(event);

    expect(response.statusCode).toBe(401);
    expect(response.headers?.['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(problem);
    expect(response.body).not.toContain(SLACK_SIGNING_SECRET);
    expect(entry.slack.calls.length).toBe(slackCalls);
    expect(entry.aws.callsTo('sts').length).toBe(stsCalls);
  };

  it('a body changed after signing (another target)', async () => {
    const event = await signedSlackEvent(body);
    await refusedWith401({ ...event, body: slashCommandForm({ text: 'prod-billing' }) }, /does not match the body/);
  });

  it('a request signed with another secret', async () => {
    await refusedWith401(await signedSlackEvent(body, { secret: 'not-the-signing-secret-of-this-app' }), /does not match/);
  });

  it('a replay of a request signed more than five minutes ago, and one dated ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedWith401(await signedSlackEvent(body, { timestamp: now - 301 }), /more than five minutes/);
    await refusedWith401(await signedSlackEvent(body, { timestamp: now + 301 }), /more than five minutes/);
  });

  it('a signature of another version, or none', async () => {
    const event = await signedSlackEvent(body);
    const v1 = String(event.headers['x-slack-signature']).replace(/^v0=/, 'v1=');
    await refusedWith401({ ...event, headers: { ...event.headers, 'x-slack-signature': v1 } }, /not v0=/);
    const unsigned = Object.fromEntries(Object.entries(event.headers).filter(([name]) => name !== 'x-slack-signature'));
    await refusedWith401({ ...event, headers: unsigned }, /carries no X-Slack-Signature/);
  });

  it('a timestamp that is not a number of seconds', async () => {
    await refusedWith401(await signedSlackEvent(body, { signature: 'v0=00' }).then((e) => ({ ...e, headers: { ...e.headers, 'x-slack-request-timestamp': '1e3' } })), /not a Unix time/);
  });

  it('accepts the same body when the function URL hands it over base64-encoded', async () => {
    const response = await entry.invoke(await signedSlackEvent(slashCommandForm({ text: 'help' }), { base64: true }));

    expect(response.statusCode).toBe(200);
    expect(slackMessage(response).text).toContain('/console <target>');
  });

  it('a correctly signed command from a workspace the configuration does not name: a sentence, before any Slack call', async () => {
    const slackCalls = entry.slack.calls.length;

    const response = await entry.invoke(await signedSlackEvent(slashCommandForm({ team_id: 'T0009EVIL', text: 'prod-readonly' })));

    expect(response.statusCode).toBe(200);
    expect(slackMessage(response).text).toMatch(/does not serve your Slack workspace/);
    expect(entry.slack.calls.length).toBe(slackCalls);
    expect(entry.logLines().at(-1)).toMatchObject({ status: 403, outcome: 'ForeignWorkspace' });
  });

  it('a workspace of the configured Enterprise Grid organization is served', async () => {
    const response = await entry.invoke(await signedSlackEvent(slashCommandForm({ team_id: 'T0002OTHER', enterprise_id: 'E0001ACME', text: 'help' })));

    expect(slackMessage(response).text).toContain('/console <target>');
  });

  it('anything but POST', async () => {
    const event = await signedSlackEvent(body);
    const response = await entry.invoke({ ...event, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'GET' } } });

    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('POST');
  });
});
