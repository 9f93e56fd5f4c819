import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../fakes/aws';
import type { FakeSlackCall } from '../fakes/slack';
import { signedSlackEvent, slashCommandForm } from '../support/slack';
import { slackMessage, startSlackEntry, type SlackEntry } from '../support/slack-entry';

// Threat: a Slack member learned which targets exist by naming them. A target that exists but is not
// theirs was answered "is not allowed to open target", a name that is no target "no target named", and
// only the first read the target's external ID secret (and asked Slack about the groups that open it),
// so even with one wording the time to answer told the two apart.

type Calls = { readonly aws: readonly RecordedCall[]; readonly slack: readonly FakeSlackCall[] };

describe('a Slack member probing for target names', () => {
  let entry: SlackEntry;

  beforeAll(async () => {
    entry = await startSlackEntry();
    // Bob and the admins group are known already, as after any earlier command: what follows compares the two answers alone.
    await entry.invoke(await signedSlackEvent(slashCommandForm({ text: '', user_id: 'U0002BOB' })));
  });

  afterAll(async () => {
    await entry.stop();
  });

  /** Bob names `target`: the answer, and the calls it cost at the fakes. */
  async function probe(target: string): Promise<{ text: string; calls: Calls; log: Record<string, unknown> | undefined }> {
    const aws = entry.aws.calls.length;
    const slack = entry.slack.calls.length;
    const response = await entry.invoke(await signedSlackEvent(slashCommandForm({ text: target, user_id: 'U0002BOB' })));
    const calls = { aws: entry.aws.calls.slice(aws), slack: entry.slack.calls.slice(slack) };
    return { text: slackMessage(response).text, calls, log: entry.logLines().at(-1) };
  }

  it('answers a target that is not theirs as a name that is no target, at the same cost', async () => {
    const existing = await probe('prod-readonly');
    const missing = await probe('prod-readonlx');

    expect(existing.text.replace('prod-readonly"', 'prod-readonlx"')).toBe(missing.text);
    expect(existing.text).not.toMatch(/not allowed/);
    // No secret read, STS or federation call on either path, and Slack asked the same of both.
    expect(existing.calls.aws).toEqual([]);
    expect(missing.calls.aws).toEqual([]);
    expect(existing.calls.slack.map((call) => call.method)).toEqual(missing.calls.slack.map((call) => call.method));
  });

  it('still tells the operators which it was', async () => {
    const existing = await probe('prod-billing');
    const missing = await probe('prod-billinx');

    expect(existing.log).toMatchObject({ status: 403, outcome: 'Forbidden', target: 'prod-billing' });
    expect(missing.log).toMatchObject({ status: 404, outcome: 'NotFound' });
    expect(missing.log?.target).toBeUndefined();
  });
});
