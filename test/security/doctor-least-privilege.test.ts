import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { authorizeSecretRead, type PolicyDocument } from '../fakes/iam';
import { testConfig } from '../support/config';
import { SLACK_SECTION, SLACK_TARGETS } from '../support/slack';

// Threat: code that shares the login role reads secrets it never needs. The doctor runs as the login role
// (target trust policies name only that role), and so does the Slack entry without a browser entry; had
// the role's grants no more to them, a bug in or a replacement of the doctor's code would read the browser
// entry's session key ("whoever reads the session key can seal a cookie naming anyone") and client secret,
// or the Slack signing secret, which signs a command as anyone. Lambda puts the calling function's ARN in
// lambda:SourceFunctionArn for calls its code makes with the execution role's credentials, usable in
// identity policies (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html).

const ACCOUNT = '111111111111';
const LOGIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/console-broker-login-eu-west-1`;
const functionArn = (logicalId: string): string => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ConsoleBroker-${logicalId}-AbCdEf123456`;
const secretArn = (name: string): string => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`;

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The template's policies as IAM sees them once deployed: functions, roles and secrets by their ARNs. */
function deployedPolicies(config: Record<string, unknown>): { identity: PolicyDocument; resource: Map<string, PolicyDocument>; functions: Map<string, string> } {
  const { broker } = addConsoleBroker(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), testConfig(config));
  const resources = (Template.fromStack(broker).toJSON() as { Resources: Record<string, Resource> }).Resources;
  const secretNames = new Map(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret').map(([id, r]) => [id, String(r.Properties.Name)]));
  const functions = new Map(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => [id.replace(/[0-9A-F]{8}$/, ''), functionArn(id)]));
  const resolve = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value)
        .replace(/\{"Fn::GetAtt":\["LoginRole[A-Z0-9]*","Arn"\]\}/g, JSON.stringify(LOGIN_ROLE))
        .replace(/\{"Fn::GetAtt":\["(\w+)","Arn"\]\}/g, (_, id: string) => JSON.stringify(functionArn(id)))
        .replace(/\{"Ref":"(\w+)"\}/g, (whole, id: string) => (secretNames.has(id) ? JSON.stringify(secretArn(secretNames.get(id) ?? '')) : whole)),
    ) as unknown;
  const onLoginRole = Object.values(resources).filter(
    (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('"LoginRole'),
  );
  const identity: PolicyDocument = { Version: '2012-10-17', Statement: onLoginRole.flatMap((r) => (resolve(r.Properties.PolicyDocument) as PolicyDocument).Statement) };
  const resource = new Map(
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy')
      .map((r) => [secretNames.get((r.Properties.SecretId as { Ref: string }).Ref) ?? '', resolve(r.Properties.ResourcePolicy) as PolicyDocument]),
  );
  return { identity, resource, functions };
}

describe.each([
  ['the browser entry', { openIdProvider: { issuer: 'https://idp.example.com', clientId: 'broker' } }, 'WebFunction', ['console-broker/session-key', 'console-broker/oidc-client-secret']],
  ['the Slack entry, as the login role', { slack: SLACK_SECTION, targets: SLACK_TARGETS }, 'SlackFunction', ['console-broker/slack-signing-secret', 'console-broker/slack-bot-token']],
])("the login role's grants on %s's secrets", (_entry, config, owner, names) => {
  const { identity, resource, functions } = deployedPolicies(config);

  it.each(names)('lets only its own code read %s, not the doctor, the IAM entry or the role outside a function', async (name) => {
    const read = (from?: string): Promise<boolean> => authorizeSecretRead(resource.get(name) ?? { Statement: [] }, identity, LOGIN_ROLE, secretArn(name), from);

    expect(await read(functions.get(owner))).toBe(true);
    expect(await read(functions.get('DoctorFunction'))).toBe(false);
    expect(await read(functions.get('LoginFunction'))).toBe(false);
    expect(await read()).toBe(false);
  });

  it('still lets the doctor and the IAM entry read the external IDs', async () => {
    const externalId = secretArn('console-broker/external-id/prod-readonly');
    for (const fn of ['DoctorFunction', 'LoginFunction', owner]) {
      expect({ fn, read: await authorizeSecretRead({ Statement: [] }, identity, LOGIN_ROLE, externalId, functions.get(fn)) }).toEqual({ fn, read: true });
    }
  });
});
