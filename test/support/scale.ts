import { parseConfig, type BrokerConfig } from '../../lib/config';

/** The group a managed-service provider's engineers share: it may open every target. */
export const SCALE_GROUP = 'msp-engineers';
const ENVIRONMENTS = ['prod', 'staging'] as const;
/**
 * The configuration file of a managed-service provider at scale: `targets` targets spread evenly over
 * `accounts` customer accounts, a production and a staging role in each, all open to one group. The
 * first `brokerDeployedAccounts` accounts (the provider's own) have their roles deployed by this app;
 * every other customer's owner deploys the standalone template.
 */
export function scaleConfigFile(targets = 300, accounts = 150, brokerDeployedAccounts = 5): Record<string, unknown> {
  return {
    accountId: '111111111111',
    region: 'eu-west-1',
    openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' },
    targets: Array.from({ length: targets }, (_, i) => {
      const account = i % accounts;
      const customer = `customer-${String(account).padStart(3, '0')}`;
      const environment = ENVIRONMENTS[Math.floor(i / accounts) % ENVIRONMENTS.length] ?? 'prod';
      return {
        name: `${customer}-${environment}-${i}`,
        accountId: String(200000000000 + account),
        roleName: `ConsoleBroker-${environment}-${i}`,
        description: `${environment} account of ${customer}`,
        group: customer,
        environment,
        allowedCallers: ['arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*'],
        allowedGroups: [SCALE_GROUP],
        deployedBy: account < brokerDeployedAccounts ? 'broker' : 'owner',
      };
    }),
  };
}

export function scaleConfig(targets = 300, accounts = 150, brokerDeployedAccounts = 5): BrokerConfig {
  return parseConfig(scaleConfigFile(targets, accounts, brokerDeployedAccounts));
}
