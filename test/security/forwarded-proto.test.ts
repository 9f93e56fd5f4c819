import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionUrlEvent, lambdaContext } from '../support/events';
import { startWebEntry, type WebEntry } from '../support/web-entry';

/** The redirect_uri the broker asks the provider to send the person back to. */
function callbackUrlIn(location: string | undefined): string | null {
  return new URL(location ?? 'about:blank').searchParams.get('redirect_uri');
}

describe('the callback URL is https whatever the request says', () => {
  let web: WebEntry;

  beforeAll(async () => {
    // As deployed: the stack sets no local-server setting, so the Lambda must not need one.
    web = await startWebEntry({ env: { LOCAL_FUNCTION_URL_HTTP: '' } });
  });

  afterAll(async () => {
    await web.stop();
  });

  it.each(['http', 'https://evil.example/#', 'javascript'])('ignores X-Forwarded-Proto: %s', async (proto) => {
    // Prepare
    const event = functionUrlEvent({ path: '/auth/signin', query: 'returnTo=%2F', callerArn: null, accept: 'text/html' });
    const attacked = { ...event, headers: { ...event.headers, 'x-forwarded-proto': proto } };

    // Act
    const response = await web.handler(attacked, lambdaContext() as unknown as Context);

    // Assess
    expect(response.statusCode).toBe(302);
    expect(callbackUrlIn(response.headers?.location as string | undefined)).toBe(`https://${event.requestContext.domainName}/auth/callback`);
  });

  it('is not moved to http by the local function URL, which says X-Forwarded-Proto: http', async () => {
    // Act
    const { location } = await web.request('/auth/signin?returnTo=%2F', { headers: { accept: 'text/html' } });

    // Assess
    expect(callbackUrlIn(location ?? undefined)).toBe(`https://${new URL(web.base).host}/auth/callback`);
  });

  it('keeps the local-server setting out of the deployed function', () => {
    expect(Object.keys(web.deployedEnv)).not.toContain('LOCAL_FUNCTION_URL_HTTP');
  });
});
