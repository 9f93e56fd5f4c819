/** What a test reads of an HTTP answer, with redirects left to the test. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly location: string | null;
  readonly headers: Headers;
  /** Set-Cookie lines, whole. */
  readonly setCookies: string[];
}

export interface RequestOptions {
  readonly method?: string;
  readonly cookies?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What a browser sends when a person types the broker's address: a top-level navigation of their own. */
export const TYPED = { accept: 'text/html', 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' } as const;

/** Answers with the name and value of each Set-Cookie line. */
export function cookieValues(setCookies: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of setCookies) {
    const pair = line.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) found[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return found;
}

/** A request to `target` resolved against `base`, with the cookies given and no redirect followed. */
export async function request(base: string, target: string, { method = 'GET', cookies = {}, headers = {}, body }: RequestOptions = {}): Promise<Answer> {
  const url = new URL(target, base);
  const cookie = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  const response = await fetch(url, { method, headers: { ...headers, ...(cookie ? { cookie } : {}) }, body, redirect: 'manual' });
  return { status: response.status, body: await response.text(), location: response.headers.get('location'), headers: response.headers, setCookies: response.headers.getSetCookie() };
}

/**
 * Signs `user` in to the browser entry at `base` at the provider's own pages (test/fakes/oidc.ts)
 * without a browser, from a visit to `start`, and answers the broker's response to the provider's
 * redirect back, with the cookies set on the way.
 */
export async function signInOverHttp(base: string, user: string, start = '/'): Promise<{ readonly callback: Answer; readonly cookies: Record<string, string> }> {
  // Every server is on 127.0.0.1, and cookies do not tell ports apart: one jar, as in a browser.
  const jar: Record<string, string> = {};
  let answer = await request(base, start, { headers: TYPED });
  Object.assign(jar, cookieValues(answer.setCookies));
  let next: { url: string; method: string; body?: string } | undefined = answer.location ? { url: answer.location, method: 'GET' } : undefined;
  while (next) {
    const url: URL = new URL(next.url, base);
    if (url.href.startsWith(`${base}auth/callback`)) break;
    answer = await request(base, url.href, { method: next.method, cookies: jar, headers: { accept: 'text/html', ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body: next.body });
    Object.assign(jar, cookieValues(answer.setCookies));
    const action = /<form[^>]*action="([^"]+)"/.exec(answer.body)?.[1];
    if (answer.location) next = { url: new URL(answer.location, url).href, method: 'GET' };
    else if (action) {
      // The provider's sign-in page takes any password; its consent page takes a click.
      const prompt = /name="prompt" value="([^"]+)"/.exec(answer.body)?.[1] ?? '';
      const form = new URLSearchParams(prompt === 'login' ? { prompt, login: user, password: 'anything' } : { prompt });
      next = { url: new URL(action.replace(/&#x2F;|&#47;/g, '/'), url).href, method: 'POST', body: form.toString() };
    } else throw new Error(`the provider answered ${String(answer.status)} with no way on: ${answer.body.slice(0, 200)}`);
  }
  if (!next) throw new Error(`the broker did not send ${user} to the provider: ${String(answer.status)}`);
  const callback = await request(base, next.url, { cookies: jar, headers: { accept: 'text/html', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
  return { callback, cookies: { ...jar, ...cookieValues(callback.setCookies) } };
}
