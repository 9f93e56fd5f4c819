import { beforeAll, describe, expect, it } from 'vitest';
import { validateRegion } from '../lambda/core/destination';
import { HttpError } from '../lambda/core/errors';
import { isRegionOf, PARTITIONS, type Partition } from '../lambda/core/partition';
import { homePage } from '../lambda/web/web-pages';
import { personFromClaims } from '../lambda/core/people';
import type { Target } from '../lambda/core/registry';
import { registryFor } from '../lib/broker-stack';
import { parseConfig } from '../lib/config';
import { sdkPartitions, sdkPartitionsJson, shippedSdkPartitionsJson, type SdkPartition } from '../lib/sdk-partitions';
import { testConfig } from './support/config';

const SUPPORTED = Object.keys(PARTITIONS) as Partition[];
const ISO = ['aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f'];

/** The region picker's choices on the browser entry's home page, for a target whose default region is `region`. */
function offeredRegions(partition: Partition, region: string): string[] {
  const config = testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } });
  const [first] = registryFor(config).targets;
  if (!first) throw new Error('the test configuration has no target');
  const target: Target = { ...first, defaultRegion: region };
  const person = personFromClaims({ sub: 'alice', email: 'alice@example.com', email_verified: true, groups: [] }, 'https://idp.example.com', 'groups');
  const body = homePage(person, [target], partition, [], 'csrf', { query: '', recent: [] }).body ?? '';
  const select = /<select name="region"[^>]*>(.*?)<\/select>/.exec(body)?.[1] ?? '';
  return [...select.matchAll(/<option(?: selected)?>([^<]+)<\/option>/g)].map((m) => m[1] ?? '');
}

const broker = (overrides: Record<string, unknown>): Record<string, unknown> => ({
  accountId: '111111111111',
  targets: [{ name: 't', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly' }],
  ...overrides,
});

describe('partitions and regions, from the AWS SDK', () => {
  let sdk: SdkPartition[];
  const sdkPartition = (id: string): SdkPartition => {
    const found = sdk.find((p) => p.id === id);
    if (!found) throw new Error(`the SDK has no partition ${id}`);
    return found;
  };
  /** The SDK's real regions of a partition: its list without pseudo-regions such as aws-global. */
  const regionsOf = (id: string): string[] => sdkPartition(id).regions.filter((r) => new RegExp(sdkPartition(id).regionRegex).test(r));

  beforeAll(async () => {
    sdk = await sdkPartitions();
  });

  it('ships the installed SDK’s partition data unchanged (npm run aws-partitions refreshes it)', () => {
    expect(shippedSdkPartitionsJson()).toBe(sdkPartitionsJson(sdk));
  });

  it('accepts and offers every commercial region the SDK knows', () => {
    const commercial = regionsOf('aws');
    expect(commercial.length).toBeGreaterThanOrEqual(36);
    for (const region of commercial) expect(validateRegion('aws', region)).toBe(region);
    expect(offeredRegions('aws', 'eu-west-1')).toEqual(commercial);
  });

  it('refuses every ISO region, in every partition the broker serves', () => {
    const isoRegions = ISO.flatMap(regionsOf);
    expect(isoRegions).toEqual(expect.arrayContaining(['us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1']));
    for (const partition of SUPPORTED) {
      for (const region of isoRegions) {
        expect(isRegionOf(partition, region)).toBe(false);
        expect(() => validateRegion(partition, region)).toThrow(HttpError);
      }
    }
    expect(() => parseConfig(broker({ region: 'us-iso-east-1' }))).toThrow(/region must be a region of partition aws/);
  });

  it('refuses the ISO partitions in the configuration, saying why', () => {
    for (const partition of ISO) {
      expect(() => parseConfig(broker({ partition, region: regionsOf(partition)[0] }))).toThrow(/is not supported: AWS documents no console federation endpoint/);
    }
  });

  it('accepts eusc-de-east-1 in aws-eusc only, and aws-eusc only when the operator opts in', () => {
    expect(regionsOf('aws-eusc')).toEqual(['eusc-de-east-1']);
    expect(SUPPORTED.filter((partition) => isRegionOf(partition, 'eusc-de-east-1'))).toEqual(['aws-eusc']);
    expect(offeredRegions('aws-eusc', 'eusc-de-east-1')).toEqual(['eusc-de-east-1']);
    expect(() => parseConfig(broker({ region: 'eusc-de-east-1' }))).toThrow(/region must be a region of partition aws/);
    expect(() => parseConfig(broker({ partition: 'aws-eusc', region: 'eusc-de-east-1' }))).toThrow(/not yet verified.*acceptUnverifiedPartition/);
    expect(parseConfig(broker({ partition: 'aws-eusc', region: 'eusc-de-east-1', acceptUnverifiedPartition: true })).partition).toBe('aws-eusc');
  });

  it('keeps each partition to its own regions, and region names to host name labels', () => {
    for (const partition of SUPPORTED) {
      for (const other of SUPPORTED.filter((p) => p !== partition)) {
        for (const region of PARTITIONS[other].regions) expect(isRegionOf(partition, region)).toBe(false);
      }
    }
    for (const hostile of ['us-EAST-1', 'us-east_x-1', 'us-east-1.evil.example', 'us-east-1/', 'aws-global', 'us-gov-west-1', 'cn-north-1']) {
      expect(isRegionOf('aws', hostile)).toBe(false);
    }
  });
});
