#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SDK_PARTITIONS_FILE, sdkPartitions, sdkPartitionsJson } from '../lib/sdk-partitions';

// `npm run aws-partitions`: copies the installed AWS SDK's partitions and regions into the file the Lambda bundles.
void sdkPartitions().then((partitions) => {
  writeFileSync(SDK_PARTITIONS_FILE, sdkPartitionsJson(partitions));
  process.stdout.write(`wrote ${path.relative(process.cwd(), SDK_PARTITIONS_FILE)}\n`);
});
