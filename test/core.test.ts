import fc from 'fast-check';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { assumeRole } from '../lambda/core/aws';
import { destinationUrl, serviceUrl } from '../lambda/core/destination';
import { HttpError } from '../lambda/core/errors';
import { ExternalIdCache } from '../lambda/core/external-id';
import { callerIdentity } from '../lambda/core/identity';
import { PARTITIONS, type Partition } from '../lambda/core/partition';
import { matchesPattern } from '../lambda/core/registry';
import { responseFormat } from '../lambda/core/request';
import { createRuntime } from '../lambda/core/runtime';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;

describe('destinations', () => {
  it('never leaves the console host, whatever the input', () => {
    fc.assert(
      fc.property(fc.constantFrom<Partition>('aws', 'aws-cn', 'aws-us-gov'), fc.oneof(fc.string(), fc.webUrl(), fc.webPath(), fc.string().map((s) => `/${s}`)), (partition, input) => {
        let url: URL;
        try {
          url = destinationUrl(partition, input, 'us-east-1');
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          return;
        }
        const host = PARTITIONS[partition].consoleHost;
        expect(url.protocol).toBe('https:');
        expect(url.hostname === host || url.hostname.endsWith(`.${host}`)).toBe(true);
        expect(url.username + url.password + url.port).toBe('');
      }),
      { numRuns: 2000 },
    );
  });

  it('follows the partition: China and GovCloud consoles have their own hosts', () => {
    expect(serviceUrl('aws-cn', 'ec2', 'cn-north-1').toString()).toBe('https://console.amazonaws.cn/ec2/home?region=cn-north-1');
    expect(serviceUrl('aws-us-gov', 'iam', 'us-gov-west-1').toString()).toBe('https://console.amazonaws-us-gov.com/iam/home');
    expect(() => destinationUrl('aws-cn', 'https://console.aws.amazon.com/', 'cn-north-1')).toThrow(/console.amazonaws.cn/);
  });

  it('accepts the regional console hosts of its partition only', () => {
    expect(destinationUrl('aws', 'https://us-east-1.console.aws.amazon.com/ec2/home', 'us-east-1').hostname).toBe('us-east-1.console.aws.amazon.com');
    expect(() => destinationUrl('aws', 'https://cn-north-1.console.aws.amazon.com/', 'us-east-1')).toThrow(HttpError);
  });
});

describe('session names', () => {
  it('always fit what STS accepts for RoleSessionName and SourceIdentity', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (arn) => STS_NAME.test(callerIdentity(arn))));
  });

  it('name the person for IAM Identity Center, and the principal for everyone else', () => {
    expect(callerIdentity('arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com')).toBe('alice@example.com');
    expect(callerIdentity('arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot')).toBe('chatops-bot+slack-bot+111111111111');
    expect(callerIdentity('arn:aws:iam::111111111111:user/team/bob')).toBe('user=bob+111111111111');
    expect(callerIdentity('arn:aws:sts::111111111111:federated-user/carol')).toBe('federated-user=carol+111111111111');
    expect(callerIdentity('arn:aws:iam::111111111111:root')).toBe('root=111111111111');
  });
});

describe('caller patterns', () => {
  it('match like IAM StringLike: * spans anything, ? one character, the rest literally', () => {
    expect(matchesPattern('arn:aws:sts::1:assumed-role/Admin_*/*', 'arn:aws:sts::1:assumed-role/Admin_abc/alice')).toBe(true);
    expect(matchesPattern('arn:aws:sts::1:assumed-role/Admin_?/*', 'arn:aws:sts::1:assumed-role/Admin_ab/alice')).toBe(false);
    expect(matchesPattern('arn:aws:sts::1:assumed-role/A.c/*', 'arn:aws:sts::1:assumed-role/Abc/x')).toBe(false);
    expect(matchesPattern('arn:aws:iam::1:user/bob', 'arn:aws:iam::1:user/bobby')).toBe(false);
  });
});

describe('response format', () => {
  it('is HTML for browsers and JSON for everything else', () => {
    expect(responseFormat('text/html,application/xhtml+xml,*/*;q=0.8')).toBe('html');
    expect(responseFormat('application/json')).toBe('json');
    expect(responseFormat('*/*')).toBe('json');
    expect(responseFormat(undefined)).toBe('json');
  });
});

describe('external ID cache', () => {
  it('serves from memory until the maximum age, then reads again', async () => {
    // Prepare
    let now = 0;
    let reads = 0;
    const cache = new ExternalIdCache(() => Promise.resolve(`externalId${String(++reads).padStart(4, '0')}`), 300_000, () => now);

    // Act
    const first = await cache.get('s');
    now = 299_999;
    const second = await cache.get('s');
    now = 300_000;
    const third = await cache.get('s');

    // Assess
    expect(first).toEqual({ value: 'externalId0001', fresh: true });
    expect(second).toEqual({ value: 'externalId0001', fresh: false });
    expect(third).toEqual({ value: 'externalId0002', fresh: true });
  });
});

describe('STS errors', () => {
  it('turn AccessDenied into AssumeRoleDenied and anything else into AssumeRoleFailed', async () => {
    // Prepare
    const sts = mockClient(STSClient);
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    sts.on(AssumeRoleCommand).rejectsOnce(denied).rejectsOnce(Object.assign(new Error('throttled'), { name: 'Throttling' }));
    const input = { roleArn: 'arn:aws:iam::222222222222:role/R', externalId: 'id', sessionName: 'me', sourceIdentity: 'me' };
    const client = new STSClient({ region: 'eu-west-1' });

    // Act & Assess
    await expect(assumeRole(client, input)).rejects.toMatchObject({ status: 502, code: 'AssumeRoleDenied' });
    await expect(assumeRole(client, input)).rejects.toMatchObject({ status: 502, code: 'AssumeRoleFailed', message: /Throttling/ });
    sts.restore();
  });
});

describe("the origins a login URL's redirects visit (the browser entry's form-action)", () => {
  const loginOrigins = (partition: Partition, env: NodeJS.ProcessEnv = {}): readonly string[] =>
    createRuntime(env, JSON.stringify({ partition, targets: [] })).loginOrigins;

  it("are the partition's sign-in origin, its console, and their regional hosts: nothing broader", () => {
    expect(loginOrigins('aws')).toEqual([
      'https://signin.aws.amazon.com',
      'https://us-east-1.signin.aws.amazon.com',
      'https://console.aws.amazon.com',
      'https://*.console.aws.amazon.com',
      'https://*.signin.aws.amazon.com',
    ]);
    expect(loginOrigins('aws-cn')).toEqual([
      'https://signin.amazonaws.cn',
      'https://console.amazonaws.cn',
      'https://*.console.amazonaws.cn',
      'https://*.signin.amazonaws.cn',
    ]);
    expect(loginOrigins('aws-us-gov')[0]).toBe('https://signin.amazonaws-us-gov.com');
  });

  it('follow FEDERATION_ENDPOINT, LOGOUT_ENDPOINT and CONSOLE_ORIGINS, which point them at local servers', () => {
    const env = { FEDERATION_ENDPOINT: 'http://127.0.0.1:9001/federation', LOGOUT_ENDPOINT: 'http://127.0.0.1:9004/federation', CONSOLE_ORIGINS: ' http://127.0.0.1:9002  http://127.0.0.1:9003 ' };

    expect(loginOrigins('aws', env)).toEqual(['http://127.0.0.1:9001', 'http://127.0.0.1:9004', 'http://127.0.0.1:9002', 'http://127.0.0.1:9003']);
  });

  it('refuse a CONSOLE_ORIGINS entry that is not an origin, naming the variable', () => {
    for (const bad of ['console.example.com', 'https://console.example.com/path', "https://a.example.com 'unsafe-inline'", 'https://*.example.com']) {
      expect(() => loginOrigins('aws', { CONSOLE_ORIGINS: bad })).toThrow(/CONSOLE_ORIGINS must be origins/);
    }
  });
});
