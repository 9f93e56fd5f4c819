import { describe, expect, it } from 'vitest';
import { brokerAccountScp } from '../../lib/broker-scp';
import type { PolicyDocument } from '../fakes/iam';
import { testConfig } from '../support/config';
import { BROKER_ACCOUNT, decideUnderScp, SHIPPED_SCP } from '../support/scp';

// Regression: the broker account SCP denied changing every stack (stack/*) to all but the CDK deploy role,
// so the execution roles of StackSets, Control Tower and Landing Zone Accelerator could no longer deploy
// their own stacks in the broker account. It must deny only the broker's stacks and the CDK toolkit's,
// and still deny those to an administrator.

// StackSets runs as AWSCloudFormationStackSetExecutionRole in a self-managed target account
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html),
// Control Tower as AWSControlTowerExecution (https://docs.aws.amazon.com/controltower/latest/userguide/awscontroltowerexecution.html);
// a stack instance is named StackSet-<stack set>-<id>.
const STACKSET_ROLES = ['AWSCloudFormationStackSetExecutionRole', 'AWSControlTowerExecution'];
const stack = (name: string): string => `arn:aws:cloudformation:eu-west-1:${BROKER_ACCOUNT}:stack/${name}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const UNRELATED_STACKS = [stack('StackSet-AWSControlTowerBP-BASELINE-CLOUDWATCH-5e1a9b0c'), stack('AWSAccelerator-SecurityStack-111111111111-eu-west-1')];
const OURS = [stack('ConsoleBroker'), stack(`ConsoleBrokerTarget-${BROKER_ACCOUNT}`), stack('ConsoleBrokerTargets-2'), stack('CDKToolkit')];
const CHANGES = ['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack'];

describe.each([
  ['shipped', SHIPPED_SCP],
  ['generated', brokerAccountScp(testConfig()) as unknown as PolicyDocument],
])('the %s broker account SCP and stacks that are not the broker', (_name, scp) => {
  it("lets StackSets' and Control Tower's execution roles create and update unrelated stacks", async () => {
    for (const role of STACKSET_ROLES) {
      for (const resource of UNRELATED_STACKS) {
        for (const action of CHANGES) {
          expect({ role, resource, action, decision: await decideUnderScp(role, action, resource, {}, scp) }).toEqual({ role, resource, action, decision: 'Allowed' });
        }
      }
    }
  });

  it("still refuses those roles and an administrator every change to the broker's stacks and the CDK toolkit's", async () => {
    for (const role of ['Admin', ...STACKSET_ROLES]) {
      for (const resource of OURS) {
        for (const action of CHANGES) {
          expect({ role, resource, action, decision: await decideUnderScp(role, action, resource, {}, scp) }).toEqual({ role, resource, action, decision: 'ExplicitlyDenied' });
        }
      }
    }
    expect(await decideUnderScp('cdk-hnb659fds-deploy-role-111111111111-eu-west-1', 'cloudformation:UpdateStack', stack('ConsoleBroker'), {}, scp)).toBe('Allowed');
  });
});
