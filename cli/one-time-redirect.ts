import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A redirect to a login URL that the browser is handed in its place, so that the sign-in token never
 * appears in a process's arguments (the system opener's and the browser's), where any local user can
 * read it for the token's 15 minutes. Whoever reads this address there finds it used, or gone.
 */
export interface OneTimeRedirect {
  /** `http://127.0.0.1:<port the system chose>/<256 random bits>`. */
  readonly url: string;
  /** True once the redirect has been answered, false if the time ran out first; the server is closed either way. */
  readonly served: Promise<boolean>;
  /** Closes the server at once, unused. */
  close(): void;
}

const HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/**
 * Serves one 302 to `location` on 127.0.0.1 at an unguessable path; anything else is a 404. Closes
 * after that one answer, or after `timeoutMs` if nobody asks.
 */
export async function oneTimeRedirect(location: string, timeoutMs: number): Promise<OneTimeRedirect> {
  const path = `/${randomBytes(32).toString('base64url')}`;
  let settle: (served: boolean) => void = () => undefined;
  const served = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  let used = false;
  const finish = (answered: boolean): void => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
    settle(answered);
  };
  const server = createServer((req, res) => {
    if (used || req.method !== 'GET' || req.url !== path) {
      res.writeHead(404, { ...HEADERS, 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    used = true;
    res.writeHead(302, { ...HEADERS, location, connection: 'close' }).end(() => {
      finish(true);
    });
  });
  const timer = setTimeout(() => {
    finish(false);
  }, timeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}${path}`,
    served,
    close: () => {
      finish(false);
    },
  };
}
