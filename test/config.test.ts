import { describe, expect, it } from 'vitest';
import { callerAccounts, operatorAccounts } from '../lib/broker-stack';
import { loadConfig, parseConfig } from '../lib/config';

const target = { name: 'prod-readonly', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly' };
const base = { accountId: '111111111111', region: 'eu-west-1', targets: [target] };

function withTarget(overrides: Record<string, unknown>): unknown {
  return { ...base, targets: [{ ...target, ...overrides }] };
}

describe('configuration', () => {
  it('fills the documented defaults', () => {
    const config = parseConfig(base);

    expect(config).toMatchObject({ partition: 'aws', logRetentionDays: 90, reservedConcurrency: undefined, doctorReservedConcurrency: undefined });
    expect(config.allowedDelegators).toEqual([]);
    expect(config.targets[0]).toEqual({
      ...target,
      managedPolicies: ['ReadOnlyAccess'],
      allowedCallers: [],
      allowedEmails: [],
      allowedGroups: [],
      allowedDelegators: [],
      requireReason: false,
      defaultRegion: 'eu-west-1',
      deployedBy: 'broker',
      production: false,
    });
  });

  it('takes a description, group and environment, and marks production by environment name or flag', () => {
    const parsed = (overrides: Record<string, unknown>) => parseConfig(withTarget(overrides)).targets[0];

    expect(parsed({ description: ' Acme production ', group: 'Acme', environment: 'Prod' })).toMatchObject({ description: 'Acme production', group: 'Acme', environment: 'Prod', production: true });
    expect(parsed({ environment: 'PRODUCTION' })?.production).toBe(true);
    expect(parsed({ environment: 'prod-like' })?.production).toBe(false);
    expect(parsed({ environment: 'live', production: true })?.production).toBe(true);
    expect(parsed({ environment: 'prod', production: false })?.production).toBe(false);
  });

  it("takes operators, whose accounts may then invoke the doctor's URL and not the login function's", () => {
    const operator = 'arn:aws:sts::777777777777:assumed-role/AWSReservedSSO_Ops_*/*';

    const config = parseConfig({ ...base, operators: [operator] });

    expect(config.operators).toEqual([operator]);
    expect(parseConfig(base).operators).toEqual([]);
    expect(operatorAccounts(config)).toEqual(['777777777777']);
    expect(callerAccounts(config)).toEqual([]);
  });

  it('takes delegators alone or with the groups they may vouch for, on a target and for all, whose accounts may then invoke the URL', () => {
    const bot = 'arn:aws:sts::555555555555:assumed-role/chatops-bot/*';
    const allBot = 'arn:aws:sts::666666666666:assumed-role/ticket-bot/*';

    const config = parseConfig({
      ...base,
      allowedDelegators: [allBot],
      targets: [{ ...target, allowedEmails: ['Alice@Example.com'], allowedGroups: ['sre'], allowedDelegators: [{ principal: bot, groups: ['sre'] }], requireReason: true }],
    });

    expect(config.allowedDelegators).toEqual([{ principal: allBot, groups: [] }]);
    expect(config.targets[0]).toMatchObject({ allowedEmails: ['alice@example.com'], allowedDelegators: [{ principal: bot, groups: ['sre'] }], requireReason: true });
    expect(callerAccounts(config)).toEqual(['555555555555', '666666666666']);
  });

  it('loads the example shipped with the repository', () => {
    expect(loadConfig('config/console-broker.json').targets.length).toBeGreaterThan(0);
  });

  it.each([
    ['an account ID that is not 12 digits', { ...base, accountId: '12345' }, /accountId must be a 12-digit AWS account ID/],
    ['a target account ID given as a number', withTarget({ accountId: 222222222222 }), /targets\[0\]\.accountId must be a 12-digit AWS account ID as a string/],
    ['an unknown partition', { ...base, partition: 'aws-mars' }, /partition must be one of aws, aws-cn, aws-us-gov, aws-eusc, got "aws-mars"/],
    ['a region outside the partition', { ...base, partition: 'aws-cn' }, /region must be a region of partition aws-cn \(such as cn-north-1\), got "eu-west-1"/],
    ['a role name IAM would reject', withTarget({ roleName: 'has spaces' }), /targets\[0\]\.roleName must be 1-64 characters/],
    ['a role name too long', withTarget({ roleName: 'r'.repeat(65) }), /targets\[0\]\.roleName/],
    ['an empty policy list', withTarget({ managedPolicies: [] }), /targets\[0\]\.managedPolicies must name at least one AWS managed policy/],
    ['a policy ARN instead of a name', withTarget({ managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }), /managedPolicies\[0\] must be an AWS managed policy name/],
    ['a caller pattern with a wildcard account', withTarget({ allowedCallers: ['arn:aws:sts::*:assumed-role/x/*'] }), /allowedCallers\[0\] must be an IAM principal ARN pattern/],
    ['a caller pattern in another partition', withTarget({ allowedCallers: ['arn:aws-cn:sts::111111111111:assumed-role/x/*'] }), /allowedCallers\[0\] must be in partition aws/],
    ['a target name with capitals', withTarget({ name: 'Prod' }), /targets\[0\]\.name must be 1-64 lowercase letters/],
    ['a reserved target name', withTarget({ name: 'targets' }), /"targets" is reserved/],
    ['an unknown deployment', withTarget({ deployedBy: 'someone' }), /deployedBy must be "broker" or "owner"/],
    ['an unknown key', withTarget({ rolename: 'x' }), /targets\[0\] has unknown keys rolename/],
    ['a description over 200 characters', withTarget({ description: 'd'.repeat(201) }), /targets\[0\]\.description must be a line of 1-200 characters/],
    ['a group with a line break', withTarget({ group: 'Acme\nEvil' }), /targets\[0\]\.group must be a line of 1-64 characters with no control characters/],
    ['an empty environment', withTarget({ environment: ' ' }), /targets\[0\]\.environment must be a line of 1-32 characters/],
    ['an environment that is not text', withTarget({ environment: 3 }), /targets\[0\]\.environment must be a line/],
    ['a production flag that is not true or false', withTarget({ production: 'yes' }), /targets\[0\]\.production must be true or false, got "yes"/],
    ['an operator pattern with a wildcard account', { ...base, operators: ['arn:aws:sts::*:assumed-role/Ops/*'] }, /operators\[0\] must be an IAM principal ARN pattern/],
    ['operators that are not a list', { ...base, operators: 'arn:aws:sts::111111111111:assumed-role/Ops/*' }, /operators must be a list of strings/],
    ['a retention CloudWatch does not offer', { ...base, logRetentionDays: 100 }, /logRetentionDays must be one of 1, 3, 5/],
    ['a reserved concurrency of zero', { ...base, reservedConcurrency: 0 }, /reservedConcurrency must be a whole number of at least 1, or absent to reserve none/],
    ['a doctor reservation that is not a whole number', { ...base, doctorReservedConcurrency: 1.5 }, /doctorReservedConcurrency must be a whole number of at least 1, or absent to reserve none, got 1\.5/],
    ['a doctor reservation as text', { ...base, doctorReservedConcurrency: '2' }, /doctorReservedConcurrency must be a whole number of at least 1/],
    ['no targets', { ...base, targets: [] }, /targets must be a non-empty list/],
    ['people allowed without a provider', withTarget({ allowedGroups: ['admins'] }), /targets\[0\] lists allowedEmails or allowedGroups, which need an openIdProvider/],
    ['delegators on a target no person may open', withTarget({ allowedDelegators: ['arn:aws:sts::111111111111:assumed-role/bot/*'] }), /targets\[0\]\.allowedDelegators names bots that act for people, but the target lists no allowedEmails or allowedGroups/],
    ['a delegator pattern with a wildcard account', { ...base, allowedDelegators: ['arn:aws:sts::*:assumed-role/bot/*'] }, /allowedDelegators\[0\] must be an IAM principal ARN pattern/],
    ['delegators that are not a list', { ...base, allowedDelegators: 'arn:aws:sts::111111111111:assumed-role/bot/*' }, /allowedDelegators must be a list of caller patterns or \{ "principal", "groups" \} objects/],
    ['a delegator object without a principal', { ...base, allowedDelegators: [{ groups: ['sre'] }] }, /allowedDelegators\[0\]\.principal must be a non-empty string/],
    ['a delegator object with an unknown key', { ...base, allowedDelegators: [{ principal: 'arn:aws:sts::111111111111:assumed-role/bot/*', group: 'sre' }] }, /allowedDelegators\[0\] has unknown keys group/],
    ['a vouched group with a comma', { ...base, allowedDelegators: [{ principal: 'arn:aws:sts::111111111111:assumed-role/bot/*', groups: ['cn=sre,ou=groups'] }] }, /allowedDelegators\[0\]\.groups\[0\] must be a group name with no comma/],
    ['a target delegator in another partition', withTarget({ allowedEmails: ['a@example.com'], allowedDelegators: ['arn:aws-cn:sts::111111111111:assumed-role/bot/*'] }), /targets\[0\]\.allowedDelegators\[0\] must be in partition aws/],
    ['a requireReason that is not true or false', withTarget({ requireReason: 'yes' }), /targets\[0\]\.requireReason must be true or false, got "yes"/],
    ['a provider over plain http', { ...base, openIdProvider: { issuer: 'http://idp.example.com', clientId: 'x' } }, /openIdProvider\.issuer must be an https URL/],
    ['a provider without openid scope', { ...base, openIdProvider: { issuer: 'https://idp.example.com', clientId: 'x', scopes: ['email'] } }, /openIdProvider\.scopes must include openid/],
    ['a session of a day', { ...base, openIdProvider: { issuer: 'https://idp.example.com', clientId: 'x', sessionMinutes: 1440 } }, /sessionMinutes must be a whole number of minutes from 5 to 720/],
  ])('refuses %s, naming the field', (_name, raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });

  it('refuses a duplicate target name', () => {
    expect(() => parseConfig({ ...base, targets: [target, { ...target, accountId: '333333333333' }] })).toThrow(
      /targets\[1\]\.name "prod-readonly" is used by another target/,
    );
  });
});
