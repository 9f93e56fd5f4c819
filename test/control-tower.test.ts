import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CDK_OUT } from './support/paths';

/**
 * AWS Control Tower's proactive controls that the broker's templates do not meet, each with why, by rule
 * and the resources it names (https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html).
 * Any other finding, or one of these on another resource, fails the test.
 */
const ACKNOWLEDGED: Record<string, readonly string[]> = {
  // CT.CLOUDWATCH.PR.2: the access log holds callers' identities; how long to keep it is the operator's
  // choice (logRetentionDays, 90 days unless configured), not a fixed year.
  cloudwatch_log_group_retention_period_check: ['LoginFunctionLogs5819502B', 'DoctorFunctionLogsEE638A72'],
  // CT.CLOUDWATCH.PR.3: the log lines carry no secret (the leak tests check every line), and CloudWatch Logs
  // encrypts them at rest with its own key; a customer key would be one more key policy to get right.
  cloudwatch_log_group_encrypted_check: ['LoginFunctionLogs5819502B', 'DoctorFunctionLogsEE638A72'],
  // CT.KMS.PR.3: both key policies give kms:CreateGrant to this account only (the account's kms:*, and the
  // statement the CDK writes for Secrets Manager), so an identity policy of the account must still allow it;
  // the rule asks for kms:GrantIsForAWSResource on such statements, which we have not yet written.
  kms_create_grant_aws_service_check: ['ExternalIdKey0A2117C2', 'ObservabilityAlarmTopicKey48516DE9'],
  // CT.LAMBDA.PR.3: the functions reach only public AWS endpoints and the OpenID provider; a VPC would add
  // NAT or endpoints and cold-start time and protect nothing they hold.
  lambda_inside_vpc_check: ['LoginFunction66F090C6', 'DoctorFunction9AA6B9EC'],
};

describe("AWS Control Tower's proactive controls (cfn-guard through the CDK policy-validation plugin)", () => {
  it('finds nothing in the synthesized templates beyond what is acknowledged with a reason', () => {
    const templatePaths = readdirSync(CDK_OUT).filter((name) => name.endsWith('.template.json')).map((name) => path.join(CDK_OUT, name));
    // The plugin reads only the templates; the app is required by the interface.
    const context: Parameters<CfnGuardValidator['validate']>[0] = { templatePaths, appConstruct: new App() };

    const report = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate(context);

    // A finding the plugin cannot tie to a resource counts against its rule as a whole.
    const unacknowledged = report.violations.flatMap((violation) =>
      violation.violatingResources
        .map((resource) => (resource.resourceLogicalId as string | undefined) || '(no resource)')
        .filter((id) => !(ACKNOWLEDGED[violation.ruleName]?.includes(id) ?? false) && !(id === '(no resource)' && violation.ruleName in ACKNOWLEDGED))
        .map((id) => `${violation.ruleName}: ${id}`),
    );
    expect(unacknowledged).toEqual([]);
  });
});
