import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { testConfig } from '../support/config';

// Threat: whoever may delete the broker stack also erases the record of who opened which console.
describe('the access log, the audit trail of every login', () => {
  it('outlives the broker stack: every log group is retained on deletion and replacement, deleted only when the create that made it rolls back', () => {
    const config = testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } });
    const broker = Template.fromStack(addConsoleBroker(new App(), config).broker);

    const logGroups = Object.values(broker.findResources('AWS::Logs::LogGroup'));
    // One for the IAM entry, one for the doctor, one for the browser entry.
    expect(logGroups).toHaveLength(3);
    for (const logGroup of logGroups) {
      expect(logGroup).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    }
  });
});
