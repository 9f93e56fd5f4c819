import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker, type ConsoleBrokerStacks } from '../../lib/app';
import type { PolicyDocument } from '../fakes/iam';
import { testConfig } from '../support/config';

const BROKER = '111111111111';
const A = '222222222222';
const B = '444444444444';
const executionRole = (account: string): string => `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`;
const stackArn = (name: string): string => `arn:aws:cloudformation:eu-west-1:${BROKER}:stack/${name}/0f2b5b20-0000-11ef-8000-0a1b2c3d4e5f`;
// What `cdk bootstrap` gives the execution role by default: AdministratorAccess.
const ADMINISTRATOR: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** A value as CloudFormation resolves it in the broker account: the partition, Fn::Sub and Fn::Join. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref' && argument === 'AWS::Partition') return 'aws';
  if (entries.length === 1 && key === 'Fn::Sub') return String(argument).replace('${AWS::Partition}', 'aws');
  if (entries.length === 1 && key === 'Fn::Join') {
    const [separator, parts] = argument as [string, unknown[]];
    return parts.map((part) => String(resolve(part))).join(separator);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
}

interface Reader {
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  readonly identityPolicy: PolicyDocument;
}

/** aws-cdk-lib's reader role for Fn::GetStackOutput in a stack, as IAM holds it once deployed. */
function readerOf(template: Template): Reader {
  const [role] = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: { RoleName: string; AssumeRolePolicyDocument: unknown } }[];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: unknown } }[];
  if (!role || policies.length !== 1) throw new Error('expected one reader role and its one policy');
  return {
    arn: `arn:aws:iam::${BROKER}:role/${role.Properties.RoleName}`,
    trustPolicy: resolve(role.Properties.AssumeRolePolicyDocument) as PolicyDocument,
    identityPolicy: resolve(policies[0]?.Properties.PolicyDocument) as PolicyDocument,
  };
}

async function decide(principal: string, principalArn: string, identityPolicy: PolicyDocument, action: string, resource: string, resourcePolicy?: PolicyDocument): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'identity', policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action,
        principal,
        resource: { accountId: BROKER, resource },
        contextVariables: { 'aws:PrincipalArn': principalArn, 'aws:PrincipalAccount': principalArn.split(':')[4] ?? '' },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the IAM simulator refused the simulation: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

// Threat: the admin of one broker-deployed target account (often a customer) reads, through the role
// that lets its CloudFormation resolve Fn::GetStackOutput, every output of the broker's stacks: every
// other target's name in its secret's ARN, and every entry's URL.
describe("a target account's CloudFormation reads only its own stack of secrets", () => {
  let stacks: ConsoleBrokerStacks;
  const readers = new Map<string, Reader>();

  beforeAll(() => {
    const second = { name: 'other-customer', accountId: B, roleName: 'ConsoleBrokerReadOnly' };
    stacks = addConsoleBroker(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), testConfig({ targets: [...testConfig().targets, second] }));
    for (const account of [A, B]) {
      const secrets = stacks.externalIds.get(`ConsoleBrokerExternalIds-${account}`);
      if (!secrets) throw new Error(`no stack of secrets for ${account}`);
      readers.set(account, readerOf(Template.fromStack(secrets)));
    }
  });

  it('lets no account read the broker stack: it has no reader role, and no outputs a target stack reads', () => {
    const broker = Template.fromStack(stacks.broker);

    expect(Object.keys(broker.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('Publish'))).toEqual([]);
    for (const target of stacks.targets.values()) expect(JSON.stringify(Template.fromStack(target).toJSON())).not.toContain('"StackName":"ConsoleBroker"');
  });

  it("trusts one principal, the account's own execution role: A's may take A's reader role, not B's", async () => {
    const assume = (from: string, reader: Reader | undefined): Promise<string> =>
      decide(`arn:aws:sts::${from}:assumed-role/cdk-hnb659fds-cfn-exec-role-${from}-eu-west-1/AWSCloudFormation`, executionRole(from), ADMINISTRATOR, 'sts:AssumeRole', reader?.arn ?? '', reader?.trustPolicy);

    expect(readers.get(A)?.trustPolicy.Statement.map((s) => s.Principal)).toEqual([{ AWS: executionRole(A) }]);
    expect(await assume(A, readers.get(A))).toBe('Allowed');
    expect(await assume(B, readers.get(B))).toBe('Allowed');
    expect(await assume(A, readers.get(B))).not.toBe('Allowed');
    expect(await assume(B, readers.get(A))).not.toBe('Allowed');
  });

  it("lets A's reader role describe A's stack of secrets, not B's, not the broker stack, not the owners' secrets", async () => {
    const reader = readers.get(A);
    const describe = (stack: string): Promise<string> =>
      decide(`arn:aws:sts::${BROKER}:assumed-role/${reader?.arn.split('/')[1] ?? ''}/GetStackOutput`, reader?.arn ?? '', reader?.identityPolicy ?? { Statement: [] }, 'cloudformation:DescribeStacks', stackArn(stack));

    expect(await describe(`ConsoleBrokerExternalIds-${A}`)).toBe('Allowed');
    for (const other of [`ConsoleBrokerExternalIds-${B}`, 'ConsoleBroker', ...[...stacks.externalIds.keys()].filter((name) => !name.endsWith(A))]) {
      expect({ other, decision: await describe(other) }).toEqual({ other, decision: 'ImplicitlyDenied' });
    }
  });
});
