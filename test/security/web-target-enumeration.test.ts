import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES } from '../../lambda/web/cookies';
import { startWebEntry, TYPED, type Answer, type WebEntry } from '../support/web-entry';

// Threat: a signed-in person (any employee the provider knows, in no group at all) learned which target
// names exist: a target that exists but was not theirs answered 403 ("is not allowed to open target"),
// one that does not exist 404. Target names are customer and account names; guessing them one request
// at a time maps the company's customers. Both must answer alike, after the same work.

/** Names of one length: `prod-billing` exists (carol's), `prod-bxlling` does not. */
const NOT_HERS = 'prod-billing';
const NONE_SUCH = 'prod-bxlling';

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe('a signed-in person cannot tell a target that is not theirs from one that does not exist', () => {
  let web: WebEntry;
  let session: string;

  beforeAll(async () => {
    web = await startWebEntry();
    session = await web.session();
  });

  afterAll(async () => {
    await web.stop();
  });

  const ask = (name: string): Promise<Answer> => web.request(`/${name}`, { headers: TYPED, cookies: { [COOKIE_NAMES.session]: session } });
  /** The page without what differs by request alone: the request ID, and the name asked for. */
  const shape = (answer: Answer, name: string): string => answer.body.replace(/request <code>[^<]+<\/code>/, 'request ID').replaceAll(name, 'NAME');

  it('answers both with the same 404 page, which lists what the person may open', async () => {
    // Act
    const notHers = await ask(NOT_HERS);
    const noneSuch = await ask(NONE_SUCH);

    // Assess
    expect(notHers.status).toBe(404);
    expect(noneSuch.status).toBe(404);
    expect(shape(notHers, NOT_HERS)).toBe(shape(noneSuch, NONE_SUCH));
    expect(noneSuch.body).toContain('you may open no target named &#34;prod-bxlling&#34;; targets you may open: prod-readonly');
  });

  it('makes the same calls on both paths: none to Secrets Manager, STS or the federation endpoint', async () => {
    // Prepare: the session key is read once per execution environment; read it before counting.
    await ask(NONE_SUCH);
    const before = web.aws.calls.length;

    // Act
    await ask(NOT_HERS);
    const afterNotHers = web.aws.calls.length;
    await ask(NONE_SUCH);

    // Assess
    expect(afterNotHers - before).toBe(0);
    expect(web.aws.calls.length - afterNotHers).toBe(0);
  });

  it('takes as long on both paths, within a generous tolerance', async () => {
    // Prepare: interleaved, so that whatever else the machine does slows both alike.
    const times: Record<string, number[]> = { [NOT_HERS]: [], [NONE_SUCH]: [] };

    // Act
    for (let i = 0; i < 15; i++) {
      for (const name of [NOT_HERS, NONE_SUCH]) {
        const started = performance.now();
        await ask(name);
        times[name]?.push(performance.now() - started);
      }
    }

    // Assess
    const [notHers, noneSuch] = [median(times[NOT_HERS] ?? []), median(times[NONE_SUCH] ?? [])];
    expect(Math.abs(notHers - noneSuch)).toBeLessThan(Math.max(5, 0.5 * Math.min(notHers, noneSuch)));
  });
});
