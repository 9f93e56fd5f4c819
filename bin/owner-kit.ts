#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { ownerKit, unknownTargetMessage } from '../lib/owner-kit';

// `npm run owner-kit -- <target> [--template-url https://...s3...]`: what to send an owner-deployed target's owner.
try {
  const { values, positionals } = parseArgs({
    options: { config: { type: 'string', default: 'config/console-broker.json' }, 'template-url': { type: 'string' } },
    allowPositionals: true,
  });
  const config = loadConfig(values.config);
  const [name] = positionals;
  const target = config.targets.find((t) => t.name === name && t.deployedBy === 'owner');
  if (!target) throw new Error(unknownTargetMessage(config, name, values.config));
  process.stdout.write(ownerKit(config, target, values['template-url']));
} catch (error) {
  process.stderr.write(`owner-kit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
