#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { cdkRoleArn, EXTERNAL_ID_CACHE_SECONDS, rotateExternalId, rotationClients, type RotationOutcome } from '../lib/rotation';

const USAGE = `Usage: npm run rotate-external-id -- <target>... | --all [options]

Gives each target a new external ID with no login refused on the way, and refuses the old one after.
Run it with credentials for the broker account that may assume CDK's deploy role in the target
accounts (as for cdk deploy). Safe to run again: it continues where it stopped.

  --all                  every target the broker deploys (owner-deployed targets need their owner)
  --config PATH          the broker configuration (default config/console-broker.json)
  --settle-seconds N     wait between using the new ID and refusing the old one (default ${String(EXTERNAL_ID_CACHE_SECONDS)})
  --owner-updated        for an owner-deployed target: the owner's stack now accepts the new ID too
  --qualifier Q          the CDK bootstrap qualifier of the target accounts (default hnb659fds)

Exit codes: 0 done, 1 failed, 3 waiting for a target's owner.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      all: { type: 'boolean' },
      config: { type: 'string', default: 'config/console-broker.json' },
      'settle-seconds': { type: 'string', default: String(EXTERNAL_ID_CACHE_SECONDS) },
      'owner-updated': { type: 'boolean' },
      qualifier: { type: 'string', default: 'hnb659fds' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help || (positionals.length === 0 && !values.all)) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const settleSeconds = Number(values['settle-seconds']);
  if (!Number.isInteger(settleSeconds) || settleSeconds < 0) throw new Error(`--settle-seconds must be a whole number, got ${values['settle-seconds']}`);
  const config = loadConfig(values.config);
  const targets = values.all ? config.targets.filter((t) => t.deployedBy === 'broker') : positionals.map((name) => {
    const target = config.targets.find((t) => t.name === name);
    if (!target) throw new Error(`no target named ${name} in ${values.config}`);
    return target;
  });

  const clients = rotationClients(config, values.qualifier);
  const outcomes: RotationOutcome[] = [];
  for (const target of targets) {
    outcomes.push(
      await rotateExternalId(
        target,
        clients,
        {
          settleSeconds,
          ownerUpdated: values['owner-updated'] === true,
          executionRoleArn: (accountId) => cdkRoleArn(config, values.qualifier, 'cfn-exec-role', accountId),
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          log: (line) => process.stdout.write(`${line}\n`),
        },
      ),
    );
  }
  return outcomes.includes('waiting-for-owner') ? 3 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rotate-external-id: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
