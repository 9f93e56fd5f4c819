import { describe, expect, it } from 'vitest';
import { brokerAccountScp } from '../../lib/broker-scp';
import type { PolicyDocument } from '../fakes/iam';
import { testConfig } from '../support/config';
import { BROKER_ACCOUNT, decideUnderScp, SHIPPED_SCP } from '../support/scp';

// Threat: the doctor's own function runs as the login role, and a direct Invoke with a copied function
// URL event naming an operator answers the operators' full report (every target, account, role ARN,
// problem and advice), logged as that operator. An administrator of the broker account must not invoke
// it outside its URL (with lambda:InvokedViaFunctionUrl false or absent), nor add a permission to it, nor
// change its code or configuration; operators must still reach it through its URL. Kept for the shipped
// policy and for the one brokerAccountScp generates (test/security/slack-function-takeover.test.ts covers
// every function's code, configuration and invocation with the key false).

// CloudFormation names a function <stack>-<logical ID>-<suffix>; the doctor's logical ID is DoctorFunction<hash>.
const DOCTOR_FUNCTION = `arn:aws:lambda:eu-west-1:${BROKER_ACCOUNT}:function:ConsoleBroker-DoctorFunction3F2A1B0C-AbCdEf123456`;
const GENERATED_SCP = brokerAccountScp(testConfig()) as unknown as PolicyDocument;

describe.each([
  ['shipped', SHIPPED_SCP],
  ['generated', GENERATED_SCP],
])("the %s broker account SCP and the doctor's function", (_name, scp) => {
  it("refuses an administrator the doctor's code, configuration and permissions", async () => {
    for (const action of ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:AddPermission']) {
      expect({ action, decision: await decideUnderScp('Admin', action, DOCTOR_FUNCTION, {}, scp) }).toEqual({ action, decision: 'ExplicitlyDenied' });
    }
    expect(await decideUnderScp('cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1', 'lambda:UpdateFunctionCode', DOCTOR_FUNCTION, {}, scp)).toBe('Allowed');
  });

  it('refuses a direct Invoke of the doctor and lets its function URL through', async () => {
    expect(await decideUnderScp('Admin', 'lambda:InvokeFunction', DOCTOR_FUNCTION, {}, scp)).toBe('ExplicitlyDenied');
    expect(await decideUnderScp('Admin', 'lambda:InvokeFunction', DOCTOR_FUNCTION, { 'lambda:InvokedViaFunctionUrl': 'false' }, scp)).toBe('ExplicitlyDenied');
    expect(await decideUnderScp('Admin', 'lambda:InvokeFunction', DOCTOR_FUNCTION, { 'lambda:InvokedViaFunctionUrl': 'true' }, scp)).toBe('Allowed');
  });
});
