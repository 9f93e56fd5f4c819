import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { testConfig } from '../support/config';
import { decideUnderScp } from '../support/scp';
import { SLACK_SECTION, SLACK_TARGETS } from '../support/slack';

// Threat: without a browser entry the Slack entry runs as the login role, and the doctor always does, but
// the broker account's SCP protected only the login and browser functions. An administrator of the broker
// account (PowerUserAccess, so lambda:*) replaced the Slack function's code, or only its SLACK_API_URL or
// SLACK_EMAIL_DOMAINS, and so acted as the login role: every target's external ID and role, as anyone.
// The same for the doctor's code, and for passing the Slack entry's own role (which reads the signing
// secret) to a function of theirs.

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** Each function of the broker stack by the name CloudFormation gives it, and the name of the role it runs as. */
function functionsAndRoles(config: Record<string, unknown>): { fn: string; role: string }[] {
  const { broker } = addConsoleBroker(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), testConfig(config));
  const resources = (Template.fromStack(broker).toJSON() as { Resources: Record<string, Resource> }).Resources;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const roleId = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      // Without a FunctionName, CloudFormation names a function <stack>-<logical ID>-<random suffix>:
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
      return { fn: `arn:aws:lambda:eu-west-1:111111111111:function:${broker.stackName}-${logicalId}-AbCdEf123456`, role: String(resources[roleId]?.Properties.RoleName) };
    });
}

describe.each([
  ['a Slack entry and no browser entry', { slack: SLACK_SECTION, targets: SLACK_TARGETS }],
  ['a Slack entry beside a browser entry', { slack: SLACK_SECTION, targets: SLACK_TARGETS, openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } }],
])('the shipped SCP, for a broker stack with %s', (_, config) => {
  const found = functionsAndRoles(config);

  it('has the functions this threat is about, among them the Slack function as the login role', () => {
    expect(found.map((f) => f.fn)).toEqual(expect.arrayContaining([expect.stringContaining('-SlackFunction'), expect.stringContaining('-DoctorFunction')]));
    if (!('openIdProvider' in config)) expect(found.find((f) => f.fn.includes('-SlackFunction'))?.role).toBe('console-broker-login-eu-west-1');
  });

  it("refuses an administrator every function's code, configuration and direct invocation", async () => {
    for (const { fn } of found) {
      expect({ fn, code: await decideUnderScp('PowerUser', 'lambda:UpdateFunctionCode', fn) }).toEqual({ fn, code: 'ExplicitlyDenied' });
      expect({ fn, configuration: await decideUnderScp('PowerUser', 'lambda:UpdateFunctionConfiguration', fn) }).toEqual({ fn, configuration: 'ExplicitlyDenied' });
      expect({ fn, invoke: await decideUnderScp('PowerUser', 'lambda:InvokeFunction', fn, { 'lambda:InvokedViaFunctionUrl': 'false' }) }).toEqual({ fn, invoke: 'ExplicitlyDenied' });
    }
  });

  it('refuses an administrator passing or changing any role a function runs as, and lets CloudFormation do both', async () => {
    for (const role of new Set(found.map((f) => f.role))) {
      const arn = `arn:aws:iam::111111111111:role/${role}`;
      expect({ role, pass: await decideUnderScp('PowerUser', 'iam:PassRole', arn) }).toEqual({ role, pass: 'ExplicitlyDenied' });
      expect({ role, change: await decideUnderScp('PowerUser', 'iam:PutRolePolicy', arn) }).toEqual({ role, change: 'ExplicitlyDenied' });
      expect({ role, pass: await decideUnderScp('cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1', 'iam:PassRole', arn) }).toEqual({ role, pass: 'Allowed' });
    }
  });
});
