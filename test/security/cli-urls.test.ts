import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli, type Run } from '../support/cli';

// Threat: the CLI sends a signed request, and gets a login URL back, over plain http across a network;
// or a broker (or whatever answers in its place) has the CLI open or print a page of its choosing.

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIACLIURLTEST000000', AWS_SECRET_ACCESS_KEY: 'cli-url-test-secret' };
const ROLE_ARN = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';

const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(args, { ...KEYS, ...env });

describe('the CLI and the URLs it trusts', () => {
  // A broker on this machine that answers every login with the login URL and role the test sets.
  let answer = { loginUrl: '', roleArn: ROLE_ARN };
  let broker: Server;
  let brokerUrl = '';

  beforeAll(async () => {
    broker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ ...answer, expiresAt: new Date().toISOString(), target: 'prod-readonly', accountId: '222222222222', region: 'eu-west-1' }),
      );
    });
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    brokerUrl = `http://127.0.0.1:${(broker.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    broker.closeAllConnections();
    await new Promise((resolve) => broker.close(resolve));
  });

  it('refuses a plain http broker URL that is not this machine, from --url or CONSOLE_BROKER_URL', async () => {
    for (const run of [cli(['login', 'prod-readonly', '--print', '--url', 'http://broker.example.com/']), cli(['targets'], { CONSOLE_BROKER_URL: 'http://10.0.0.8:8080/' })]) {
      const { code, stdout, stderr } = await run;
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^console-broker: Refusing the broker URL http:\/\/\S+: use https/);
    }
  });

  it('prints a login URL on the sign-in host of the role\'s partition', async () => {
    answer = { loginUrl: 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=t', roleArn: ROLE_ARN };

    const { code, stdout } = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl]);

    expect(code).toBe(0);
    expect(stdout.trim()).toBe(answer.loginUrl);
  });

  it('neither prints nor opens a login URL anywhere else', async () => {
    const elsewhere = [
      { loginUrl: 'https://signin.aws.amazon.com.attacker.example/federation?Action=login', roleArn: ROLE_ARN },
      { loginUrl: 'http://signin.aws.amazon.com/federation?Action=login', roleArn: ROLE_ARN },
      { loginUrl: 'file:///etc/passwd', roleArn: ROLE_ARN },
      // The sign-in host of another partition than the role's.
      { loginUrl: 'https://signin.aws.amazon.com/federation?Action=login', roleArn: 'arn:aws-cn:iam::222222222222:role/ConsoleBrokerReadOnly' },
      { loginUrl: `${brokerUrl}federation?Action=login`, roleArn: ROLE_ARN },
    ];
    for (const [index, login] of elsewhere.entries()) {
      answer = login;
      const runs = await Promise.all(['--print', '--json', 'open'].map((mode) => cli(['login', 'prod-readonly', '--url', brokerUrl, ...(mode === 'open' ? [] : [mode])])));
      for (const { code, stdout, stderr } of runs) {
        expect(code, `answer ${String(index)}`).toBe(1);
        expect(stdout).toBe('');
        expect(stderr).toMatch(/^console-broker: The broker answered a login URL outside https:\/\/signin\.\S+; refusing to open or print it\.$/m);
      }
    }
  }, 120_000);

  it('accepts a local sign-in origin only when the variable for local tests names one and the broker is on this machine', async () => {
    answer = { loginUrl: 'http://127.0.0.1:9/federation?Action=login', roleArn: ROLE_ARN };

    const local = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'http://127.0.0.1:9' });
    const remoteBroker = await cli(['login', 'prod-readonly', '--print', '--url', 'https://abc.lambda-url.eu-west-1.on.aws/'], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'http://127.0.0.1:9' });
    const remoteOrigin = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'https://attacker.example' });

    expect(local).toMatchObject({ code: 0, stdout: `${answer.loginUrl}\n` });
    for (const refused of [remoteBroker, remoteOrigin]) {
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN is for local tests only/);
    }
  });
});
