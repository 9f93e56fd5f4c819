import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { testConfig } from '../support/config';

// Threat: an account is trusted with a URL it has no use for. Operators call only the doctor's own
// function URL; if the login function's URL also named their accounts, every principal those accounts'
// administrators let invoke it would reach the login function's URL, a door wider than the targets'
// allowedCallers ask for.

type Json = Record<string, unknown>;
const OPERATOR_ACCOUNT = '555555555555';
const OPERATOR = `arn:aws:sts::${OPERATOR_ACCOUNT}:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/*`;

describe("the operators' accounts and the function URLs", () => {
  let permissions: { Properties: Json }[];

  beforeAll(() => {
    const broker = Template.fromStack(addConsoleBroker(new App(), testConfig({ operators: [OPERATOR] })).broker);
    permissions = Object.values(broker.findResources('AWS::Lambda::Permission')) as { Properties: Json }[];
  });

  const principalsOn = (functionId: string): unknown[] =>
    permissions.filter((p) => JSON.stringify(p.Properties.FunctionName).includes(`"${functionId}`)).map((p) => p.Properties.Principal);

  it("admits the operators' accounts at the doctor's URL", () => {
    expect(principalsOn('DoctorFunction')).toContain(OPERATOR_ACCOUNT);
  });

  it("does not admit them at the login function's URL", () => {
    const onLogin = principalsOn('LoginFunction');

    expect(onLogin.length).toBeGreaterThan(0);
    expect(onLogin).not.toContain(OPERATOR_ACCOUNT);
  });
});
