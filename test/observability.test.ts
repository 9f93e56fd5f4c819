import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../lib/app';
import { FunctionUrlChecks } from '../lib/nag';
import type { PolicyDocument } from './fakes/iam';
import { testConfig } from './support/config';

const WITH_BROWSER_ENTRY = { openIdProvider: { issuer: 'https://idp.example.com', clientId: 'cb' } };

type Json = Record<string, unknown>;

describe('observability', () => {
  let broker: Template;
  let topic: string;

  beforeAll(() => {
    broker = Template.fromStack(addConsoleBroker(new App(), testConfig(WITH_BROWSER_ENTRY)).broker);
    const [topicId] = Object.keys(broker.findResources('AWS::SNS::Topic'));
    if (topicId === undefined) throw new Error('no alarm topic');
    topic = topicId;
  });

  /** The one alarm on `metricName`, with the dimensions given, that notifies the topic on alarm and on recovery. */
  const expectAlarm = (metricName: string, properties: Json): void => {
    broker.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
      ...properties,
    });
  };

  it('sends every alarm to one KMS-encrypted topic that refuses plain HTTP, with its ARN as an output', () => {
    broker.resourceCountIs('AWS::SNS::Topic', 1);
    broker.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    broker.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    broker.hasOutput('AlarmTopicArn', { Value: { Ref: topic } });
  });

  describe("the topic's policy, judged by an independent IAM evaluator as SNS judges a Publish", () => {
    const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:console-broker-alarms';
    const OUR_ALARM = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:console-broker-DoctorFailed-eu-west-1';
    let policy: PolicyDocument;

    beforeAll(() => {
      const [topicPolicy] = Object.values(broker.findResources('AWS::SNS::TopicPolicy')) as { Properties: { PolicyDocument: unknown } }[];
      policy = resolveRefs(topicPolicy?.Properties.PolicyDocument, { [topic]: TOPIC_ARN, 'AWS::Partition': 'aws' }) as PolicyDocument;
    });

    /**
     * A service principal publishes on a resource policy's Allow alone; aws:SourceAccount and aws:SourceArn
     * name the account and alarm it acts for (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
     */
    const publish = async (principal: string, context: Record<string, string>): Promise<string> => {
      const result = await runSimulation(
        {
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: policy,
          request: { action: 'sns:Publish', principal, resource: { accountId: '111111111111', resource: TOPIC_ARN }, contextVariables: context },
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(`the IAM simulator refused the simulation: ${JSON.stringify(result.errors)}`);
      return result.overallResult;
    };
    const overTls = { 'aws:SecureTransport': 'true' };

    it("lets CloudWatch publish for this account's console-broker alarms", async () => {
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': OUR_ALARM, ...overTls })).toBe('Allowed');
    });

    it('refuses another service, another account, an alarm outside our prefix, and plain HTTP', async () => {
      expect(await publish('events.amazonaws.com', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': OUR_ALARM, ...overTls })).not.toBe('Allowed');
      const otherAccountAlarm = 'arn:aws:cloudwatch:eu-west-1:999999999999:alarm:console-broker-DoctorFailed-eu-west-1';
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': otherAccountAlarm, ...overTls })).not.toBe('Allowed');
      const notOurs = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:billing-high';
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': notOurs, ...overTls })).not.toBe('Allowed');
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': OUR_ALARM, 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
    });
  });

  it("lets only this account's console-broker alarms use the topic's key", () => {
    broker.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchAlarmsPublish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':cloudwatch:eu-west-1:111111111111:alarm:console-broker-*'])] }) },
            },
          }),
        ]),
      },
    });
  });

  it('alarms on any AssumeRoleDenied in five minutes: a trust policy or external ID drifted', () => {
    expectAlarm('Refused', { Namespace: 'ConsoleBroker', Dimensions: [{ Name: 'outcome', Value: 'AssumeRoleDenied' }], Statistic: 'Sum', Period: 300 });
  });

  it('alarms on any 5xx answer, and on Lambda errors and throttles of both entries and the doctor', () => {
    expectAlarm('ServerError', { Namespace: 'ConsoleBroker', Dimensions: Match.absent(), Statistic: 'Sum', Period: 300 });
    for (const metric of ['Errors', 'Throttles']) {
      const alarms = broker.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Lambda', MetricName: metric } });
      expect(Object.keys(alarms)).toHaveLength(3);
      expect(JSON.stringify(alarms)).toMatch(/DoctorFunction/);
      expectAlarm(metric, { Namespace: 'AWS/Lambda', Statistic: 'Sum', Period: 300 });
    }
  });

  it('alarms when a doctor run finds a broken target, and stays up until a run finds none', () => {
    expectAlarm('DoctorFailed', { Namespace: 'ConsoleBroker', Dimensions: Match.absent(), Statistic: 'Maximum', Period: 3600, TreatMissingData: 'breaching' });
  });

  it('alarms when no doctor run writes its line: a doctor that dies or never runs is not read as healthy', () => {
    const alarms = Object.values(broker.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'DoctorFailed' } })) as { Properties: Json }[];

    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties.TreatMissingData).toBe('breaching');
  });

  it('draws a dashboard of logins, refusals, latency, cold starts and the alarms', () => {
    const [dashboard] = Object.values(broker.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown } }[];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of ['Alarms', 'Logins per target and entry', 'Refusals by reason', 'Request duration (ms)', 'Time waiting on AWS per login (ms)', 'Cold starts and 5xx', 'Doctor: broken targets; run time (ms)']) {
      expect(body).toContain(title);
    }
    // A search, so the graphs take in every target without a change to the dashboard.
    expect(body).toContain("SEARCH('{ConsoleBroker,entry,target} MetricName=");
    expect(body).toContain("SEARCH('{ConsoleBroker,outcome} MetricName=");
  });

  it('passes cdk-nag with nothing acknowledged for the topic, its key, the alarms or the dashboard', () => {
    const app = new App();
    addConsoleBroker(app, testConfig(WITH_BROWSER_ENTRY));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

/** Resolves the Ref and Fn::Join a synthesized policy holds, with `refs` for each referenced name. */
function resolveRefs(node: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, refs));
  if (typeof node !== 'object' || node === null) return node;
  const object = node as Json;
  if (typeof object.Ref === 'string') {
    const value = refs[object.Ref];
    if (value === undefined) throw new Error(`no value for Ref ${object.Ref}`);
    return value;
  }
  const join = object['Fn::Join'];
  if (Array.isArray(join)) return (resolveRefs(join[1], refs) as unknown[]).join(String(join[0]));
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, resolveRefs(value, refs)]));
}
