#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { brokerAccountScpJson, DEFAULT_CDK_QUALIFIER } from '../lib/broker-scp';
import { loadConfig } from '../lib/config';

// `npm run broker-scp -- [--qualifier q] [--admin-role name] [--out file]`: the service control policy for the broker account.
try {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'config/console-broker.json' },
      qualifier: { type: 'string', default: DEFAULT_CDK_QUALIFIER },
      'admin-role': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const policy = brokerAccountScpJson(loadConfig(values.config), { qualifier: values.qualifier, adminRoleName: values['admin-role'] });
  if (values.out === undefined) process.stdout.write(policy);
  else {
    writeFileSync(values.out, policy);
    process.stdout.write(`wrote ${values.out}\n`);
  }
} catch (error) {
  process.stderr.write(`broker-scp: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
