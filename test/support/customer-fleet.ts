const CUSTOMERS = [
  'Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises', 'Hooli', 'Pied Piper',
  'Soylent Foods', 'Tyrell Systems', 'Cyberdyne', 'Wonka Confectionery', 'Oscorp', 'Vandelay Imports', 'Massive Dynamic',
  'Aperture Labs', 'Black Mesa', 'Gringotts Bank', 'Monsters Inc', 'Duff Brewing',
];
const ENVIRONMENTS = ['prod', 'staging', 'dev'] as const;
const PURPOSE = { prod: 'production workloads', staging: 'release candidates', dev: 'developers’ sandbox' } as const;

/**
 * `count` targets as a managed-service provider might configure them: customers with a production,
 * a staging and a development role, in two accounts per customer (staging shares dev's), each role
 * deployed by the customer, all open to the `admins` group.
 */
export function customerFleet(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const customer = Math.floor(i / ENVIRONMENTS.length);
    const environment = ENVIRONMENTS[i % ENVIRONMENTS.length] ?? 'dev';
    const round = Math.floor(customer / CUSTOMERS.length);
    const company = `${CUSTOMERS[customer % CUSTOMERS.length] ?? 'Customer'}${round > 0 ? ` ${String(round + 1)}` : ''}`;
    const slug = company.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const account = 300000000000 + customer * 2 + (environment === 'prod' ? 0 : 1);
    return {
      name: `${slug}-${environment}`,
      accountId: String(account),
      roleName: `ConsoleBroker-${environment}`,
      deployedBy: 'owner',
      allowedGroups: ['admins'],
      description: `${company} ${PURPOSE[environment]}`,
      group: company,
      environment,
    };
  });
}
