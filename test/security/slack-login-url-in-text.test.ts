import { describe, expect, it } from 'vitest';
import { HttpError } from '../../lambda/core/errors';
import type { Target } from '../../lambda/core/registry';
import { consoleAnswer, MAX_BUTTON_URL, refusal } from '../../lambda/slack/messages';

// Threat: a login URL longer than a Block Kit button takes was put into the message's text instead: a
// bearer URL as plain text, which is copied, quoted and forwarded more easily, with no unfurl_links:false,
// so Slack could fetch it for a preview; and the facts were escaped twice on the way (the "Works until"
// warning's <!date^…> became literal "&lt;!date^…&gt;", a reason's & became "&amp;amp;").

const target = { name: 'prod-readonly', accountId: '222222222222', production: true } as unknown as Target;
const VALIDITY = '*Works until* <!date^1795633068^{date_short_pretty} {time}|2026-11-25T19:00:00.000Z>, for whoever opens it: do not share it.';
const answer = (url: string): ReturnType<typeof consoleAnswer> =>
  consoleAnswer({ target, region: 'eu-west-1', url, buttonText: 'Open console', validity: VALIDITY, reason: 'R&D <INC-1>' });
const message = (response: ReturnType<typeof consoleAnswer>): Record<string, unknown> => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

describe('a login URL in a Slack answer', () => {
  it('is refused in a sentence when too long for a button, never pasted into the message', () => {
    const url = `https://signin.aws.amazon.com/federation?Action=login&SigninToken=${'a'.repeat(MAX_BUTTON_URL)}`;

    let thrown: unknown;
    try {
      answer(url);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ code: 'LoginUrlTooLong' });
    const sentence = message(refusal((thrown as HttpError).message)).text;
    expect(sentence).toMatch(/longer than a Slack button takes \(3000 characters\).*open it with the console-broker CLI or the browser entry\.$/);
    expect(sentence).not.toContain('SigninToken');
  });

  it('is a button whose facts are escaped once, in a message Slack is asked not to unfurl', () => {
    const body = message(answer('https://signin.aws.amazon.com/federation?Action=login&SigninToken=abc'));
    const facts = JSON.stringify(body.blocks);

    expect(body).toMatchObject({ unfurl_links: false, unfurl_media: false });
    expect(facts).toContain('<!date^1795633068^');
    expect(facts).toContain('R&amp;D &lt;INC-1&gt;');
    expect(facts).not.toContain('&amp;amp;');
  });

  it('asks Slack not to unfurl any answer, refusals included', () => {
    expect(message(refusal('no'))).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });
});
