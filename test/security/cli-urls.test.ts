import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError, requestConsoleLogin } from '../../cli/client';
import { cli as runCli, type Run } from '../support/cli';

// Threat: the CLI sends a signed request, and gets a login URL back, over plain http across a network;
// or a broker (or whatever answers in its place) has the CLI open or print a page of its choosing: another
// host, or a sign-in host URL of its making (the console's logout with its own redirect_uri, a login whose
// Issuer or Destination is its own site). The sign-in token itself cannot be checked by the CLI.

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIACLIURLTEST000000', AWS_SECRET_ACCESS_KEY: 'cli-url-test-secret' };
const ROLE_ARN = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';

const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(args, { ...KEYS, ...env });

// The two shapes lambda/core/federation.ts makes: a login, and the console's logout that then follows one.
const CONSOLE_LOGIN = {
  Action: 'login',
  Issuer: 'https://console.aws.amazon.com/',
  Destination: 'https://console.aws.amazon.com/console/home?region=eu-west-1',
  SigninToken: 'sign-in-token',
};
const login = (params: Record<string, string> = CONSOLE_LOGIN, origin = 'https://signin.aws.amazon.com'): string =>
  `${origin}/federation?${new URLSearchParams(params).toString()}`;
const logoutThen = (redirectUri: string, origin = 'https://signin.aws.amazon.com'): string =>
  `${origin}/oauth?${new URLSearchParams({ Action: 'logout', redirect_uri: redirectUri }).toString()}`;
const REFUSED = /^console-broker: The broker answered a login URL that is not a console sign-in on https:\/\/signin\.\S+(?: or https:\/\/us-east-1\.signin\.\S+)?; refusing to open or print it\.$/m;

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
    answer = { loginUrl: login(), roleArn: ROLE_ARN };

    const { code, stdout } = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl]);

    expect(code).toBe(0);
    expect(stdout.trim()).toBe(answer.loginUrl);
  });

  it('neither prints nor opens a login URL anywhere else', async () => {
    const elsewhere = [
      { loginUrl: login(CONSOLE_LOGIN, 'https://signin.aws.amazon.com.attacker.example'), roleArn: ROLE_ARN },
      { loginUrl: login(CONSOLE_LOGIN, 'http://signin.aws.amazon.com'), roleArn: ROLE_ARN },
      { loginUrl: 'file:///etc/passwd', roleArn: ROLE_ARN },
      // The sign-in host of another partition than the role's.
      { loginUrl: login(), roleArn: 'arn:aws-cn:iam::222222222222:role/ConsoleBrokerReadOnly' },
      { loginUrl: login(CONSOLE_LOGIN, brokerUrl.slice(0, -1)), roleArn: ROLE_ARN },
    ];
    for (const [index, refused] of elsewhere.entries()) {
      answer = refused;
      const runs = await Promise.all(['--print', '--json', 'open'].map((mode) => cli(['login', 'prod-readonly', '--url', brokerUrl, ...(mode === 'open' ? [] : [mode])])));
      for (const { code, stdout, stderr } of runs) {
        expect(code, `answer ${String(index)}`).toBe(1);
        expect(stdout).toBe('');
        expect(stderr).toMatch(REFUSED);
      }
    }
  }, 120_000);

  it('prints the two shapes the broker makes: a login (here to a regional console, the browser entry as Issuer) and a logout that then follows one', async () => {
    const made = [
      login({ ...CONSOLE_LOGIN, Issuer: 'https://abcdefgh.lambda-url.eu-west-1.on.aws/', Destination: 'https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1' }),
      logoutThen(login()),
    ];
    for (const loginUrl of made) {
      answer = { loginUrl, roleArn: ROLE_ARN };

      const { code, stdout } = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl, '--broker-region', 'eu-west-1']);

      expect(code).toBe(0);
      expect(stdout.trim()).toBe(loginUrl);
    }
  });

  it('neither prints, opens nor returns any other URL on the sign-in host', async () => {
    const site = 'https://evil.example/phish';
    const shapes: Record<string, string> = {
      'a logout that then goes to another site': logoutThen(site),
      'a logout that then goes to a login whose Issuer is another site': logoutThen(login({ ...CONSOLE_LOGIN, Issuer: site })),
      'a logout with a parameter more': `${logoutThen(login())}&Issuer=${encodeURIComponent(site)}`,
      'a login whose Issuer is another site': login({ ...CONSOLE_LOGIN, Issuer: 'https://evil.example/' }),
      "a login whose Issuer is a function URL outside the broker's region": login({ ...CONSOLE_LOGIN, Issuer: 'https://abcdefgh.lambda-url.us-east-1.on.aws/' }),
      'a login whose Issuer is the console over http': login({ ...CONSOLE_LOGIN, Issuer: 'http://console.aws.amazon.com/' }),
      'a login whose Issuer is a console page that redirects': login({ ...CONSOLE_LOGIN, Issuer: `https://console.aws.amazon.com/oauth?redirect_uri=${encodeURIComponent(site)}` }),
      'a login whose Destination is another site': login({ ...CONSOLE_LOGIN, Destination: site }),
      'a login whose Destination is the console over http': login({ ...CONSOLE_LOGIN, Destination: 'http://console.aws.amazon.com/' }),
      'a login whose Destination is a host under the console that is no region': login({ ...CONSOLE_LOGIN, Destination: 'https://evil.console.aws.amazon.com/' }),
      'a login with a parameter more': login({ ...CONSOLE_LOGIN, redirect_uri: site }),
      'a login with a parameter twice': `${login()}&Destination=${encodeURIComponent(site)}`,
      'a login without a sign-in token': login({ ...CONSOLE_LOGIN, SigninToken: '' }),
      'another action on the federation path': login({ ...CONSOLE_LOGIN, Action: 'logout' }),
      'a login on another path': login().replace('/federation', '/oauth'),
      'a login with credentials before the host': login().replace('https://', 'https://person@'),
      'a login with a fragment': `${login()}#${site}`,
    };
    for (const [shape, loginUrl] of Object.entries(shapes)) {
      answer = { loginUrl, roleArn: ROLE_ARN };

      const run = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl, '--broker-region', 'eu-west-1']);
      const returned = await requestConsoleLogin({ target: 'prod-readonly', url: brokerUrl, brokerRegion: 'eu-west-1', env: {}, credentials: { accessKeyId: KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY } }).catch(
        (error: unknown) => error,
      );

      expect(run, shape).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr, shape).toMatch(REFUSED);
      expect(returned, shape).toBeInstanceOf(BrokerError);
      expect(returned, shape).toMatchObject({ kind: 'upstream' });
      expect(String(returned), shape).toMatch(/refusing to open or print it/);
    }
  }, 120_000);

  it('accepts a local sign-in origin only when the variable for local tests names one and the broker is on this machine', async () => {
    answer = { loginUrl: login(CONSOLE_LOGIN, 'http://127.0.0.1:9'), roleArn: ROLE_ARN };

    const local = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'http://127.0.0.1:9' });
    const remoteBroker = await cli(['login', 'prod-readonly', '--print', '--url', 'https://abc.lambda-url.eu-west-1.on.aws/'], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'http://127.0.0.1:9' });
    const remoteOrigin = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'https://attacker.example' });
    const printed = answer.loginUrl;
    // The variable relaxes the origin only: the path and parameters are checked as on AWS's sign-in host.
    answer = { loginUrl: logoutThen('https://evil.example/phish', 'http://127.0.0.1:9'), roleArn: ROLE_ARN };
    const localElsewhere = await cli(['login', 'prod-readonly', '--print', '--url', brokerUrl], { CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN: 'http://127.0.0.1:9' });

    expect(local).toMatchObject({ code: 0, stdout: `${printed}\n` });
    expect(localElsewhere).toMatchObject({ code: 1, stdout: '' });
    expect(localElsewhere.stderr).toMatch(/not a console sign-in on https:\/\/signin\.aws\.amazon\.com or https:\/\/us-east-1\.signin\.aws\.amazon\.com or http:\/\/127\.0\.0\.1:9; refusing/);
    for (const refused of [remoteBroker, remoteOrigin]) {
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN is for local tests only/);
    }
  });
});
