import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';

// The CLI prints the answer's sessionName and reason (and, for `targets --for`, the person). The
// README's threat for the CLI is whatever answers in the broker's place (a wrong --url or
// CONSOLE_BROKER_URL): printed raw, its fields could rewrite the line the person reads ("Opened ... in
// your own account"), set the window title, or plant an OSC 8 hyperlink. The real broker never sends
// control characters (parseReason refuses them); the CLI does not rely on that.
const ESC = '\u001b';
const FORGED_REASON = `${ESC}[2K\r${ESC}]0;pwned\u0007${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`;

describe('the CLI prints what a broker answered', () => {
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const loginUrl = `https://signin.aws.amazon.com/federation?${new URLSearchParams({
        Action: 'login',
        Issuer: 'https://console.aws.amazon.com/',
        Destination: 'https://console.aws.amazon.com/console/home?region=eu-west-1',
        SigninToken: 'token',
      }).toString()}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          loginUrl,
          expiresAt: new Date().toISOString(),
          sessionExpiresAt: new Date().toISOString(),
          target: 'prod-readonly',
          accountId: '222222222222',
          roleArn: 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly',
          region: 'eu-west-1',
          destination: 'https://console.aws.amazon.com/console/home?region=eu-west-1',
          sessionName: `alice@example.com${ESC}[8m`,
          reason: FORGED_REASON,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIACLITERMINAL00000');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'cli-terminal-secret');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('writes no terminal control sequence from the answer', async () => {
    const out: string[] = [];
    const err: string[] = [];
    // The browser: it asks the CLI's one-time redirect for the login URL.
    const browser = async (address: string): Promise<void> => {
      await fetch(address, { redirect: 'manual' });
    };
    const code = await main(['login', 'prod-readonly', '--url', url, '--reason', 'INC-1'], (line) => out.push(line), (line) => err.push(line), browser);
    expect(code).toBe(0);
    expect([...out, ...err].join('\n')).not.toContain(ESC);
  });
});
