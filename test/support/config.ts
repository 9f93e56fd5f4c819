import { parseConfig, type BrokerConfig } from '../../lib/config';
import { registryFor } from '../../lib/broker-stack';
import type { Registry } from '../../lambda/core/registry';

export const ADMIN_CALLER = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com';
export const BOT_CALLER = 'arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot';
export const OUTSIDER_CALLER = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/mallory@example.com';

/** A configuration like the example's, in code so tests do not depend on the example file's content. */
export function testConfig(overrides: Record<string, unknown> = {}): BrokerConfig {
  return parseConfig({
    accountId: '111111111111',
    region: 'eu-west-1',
    targets: [
      {
        name: 'prod-readonly',
        accountId: '222222222222',
        roleName: 'ConsoleBrokerReadOnly',
        allowedCallers: ['arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*', 'arn:aws:sts::111111111111:assumed-role/chatops-bot/*'],
      },
      {
        name: 'prod-billing',
        accountId: '222222222222',
        roleName: 'ConsoleBrokerBilling',
        managedPolicies: ['job-function/Billing'],
        allowedCallers: ['arn:aws:sts::444444444444:assumed-role/Finance/*'],
        defaultRegion: 'us-east-1',
      },
      { name: 'locked', accountId: '222222222222', roleName: 'ConsoleBrokerLocked' },
      {
        name: 'customer-acme',
        accountId: '333333333333',
        roleName: 'ConsoleBrokerReadOnly',
        allowedCallers: ['arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*'],
        deployedBy: 'owner',
      },
    ],
    ...overrides,
  });
}

export function testRegistry(): Registry {
  return registryFor(testConfig());
}
