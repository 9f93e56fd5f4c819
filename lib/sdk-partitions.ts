import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** One partition as the broker keeps it: the SDK's ID, region pattern and region names. */
export interface SdkPartition {
  readonly id: string;
  readonly regionRegex: string;
  readonly regions: readonly string[];
}

interface SdkPartitionsModule {
  readonly partitionsInfo: { readonly partitions: readonly { readonly id: string; readonly regionRegex: string; readonly regions: Record<string, unknown> }[] };
}

/**
 * The partitions the installed AWS SDK resolves endpoints with (`@aws-sdk/core`'s partitions.js, the
 * data behind its `partition()`), reduced to what the broker needs. The file is not among the package's
 * exports, so it is read from the package directory; it is plain data with no imports.
 */
export async function sdkPartitions(): Promise<SdkPartition[]> {
  const packageJson = require.resolve('@aws-sdk/core/package.json');
  const file = path.join(path.dirname(packageJson), 'dist-es', 'submodules', 'client', 'util-endpoints', 'lib', 'aws', 'partitions.js');
  const { partitionsInfo } = (await import(pathToFileURL(file).href)) as SdkPartitionsModule;
  return partitionsInfo.partitions.map(({ id, regionRegex, regions }) => ({ id, regionRegex, regions: Object.keys(regions).sort() }));
}

/** The JSON the Lambda bundles, as `npm run aws-partitions` writes it. */
export function sdkPartitionsJson(partitions: readonly SdkPartition[]): string {
  return `${JSON.stringify({ partitions }, null, 2)}\n`;
}

export const SDK_PARTITIONS_FILE = path.join(__dirname, '..', 'lambda', 'core', 'aws-partitions.json');

export function shippedSdkPartitionsJson(): string {
  return readFileSync(SDK_PARTITIONS_FILE, 'utf8');
}
