import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, METRICS_NAMESPACE, type Entry } from '../../lambda/core/metrics';

export interface ObservabilityProps {
  /** The IAM entry's function. */
  readonly iamEntry: lambda.IFunction;
  /** The browser entry's function. @default - no browser entry, nothing to watch for it */
  readonly browserEntry?: lambda.IFunction;
  /** The Slack entry's function. @default - no Slack entry, nothing to watch for it */
  readonly slackEntry?: lambda.IFunction;
  /** The doctor's function. */
  readonly doctor: lambda.IFunction;
}

/** Every alarm's name starts with this, so the key policy can name them as the only ones that may publish. */
const ALARM_PREFIX = 'console-broker-';
const FIVE_MINUTES = Duration.minutes(5);
/** The doctor runs hourly: a failed run keeps its alarm up until the next run. */
const DOCTOR_PERIOD = Duration.hours(1);

/**
 * The broker's dashboard, and the alarms an operator must hear about, published to an encrypted SNS
 * topic the operator subscribes to. The metrics come from the access log line (lambda/core/metrics.ts)
 * and from the doctor (DoctorFailed).
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const functions = new Map<Entry, lambda.IFunction>([['iam', props.iamEntry], ...(props.browserEntry ? [['browser', props.browserEntry] as const] : []), ...(props.slackEntry ? [['slack', props.slackEntry] as const] : []), ['doctor', props.doctor]]);

    // CloudWatch can publish to an encrypted topic only with a customer managed key whose policy lets it
    // use the key. https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the console-broker alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Only this account's console-broker alarms, so no other account's alarm can make CloudWatch a confused deputy.
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:${ALARM_PREFIX}*` },
    };
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'console-broker alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this Allow, CloudWatch may
    // not publish and every alarm action fails with "not authorized to perform: SNS:Publish".
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );

    const broker = (name: string, dimensionsMap: Record<string, string> = {}, period = FIVE_MINUTES): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap, statistic: 'Sum', period });

    this.alarm('AssumeRoleDenied', 'A target refused to let the broker assume its role: its trust policy or external ID drifted', broker(METRIC.refused, { [DIMENSION.outcome]: 'AssumeRoleDenied' }));
    this.alarm('ServerErrors', 'The broker answered with a 5xx', broker(METRIC.serverError));
    // Every run writes DoctorFailed, 0 included, so no value means no run finished: a doctor that dies
    // or never starts must not read as healthy. CloudWatch fills missing points only when the evaluation
    // range holds no real one, so one late run does not raise it.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
    this.alarm('DoctorFailed', 'The doctor found a broken target, or no doctor run finished', broker(METRIC.doctorFailed, {}, DOCTOR_PERIOD).with({ statistic: 'Maximum' }), cloudwatch.TreatMissingData.BREACHING);
    for (const [entry, fn] of functions) {
      this.alarm(`${entry}-Errors`, `The ${entry} entry's Lambda failed (crash or timeout)`, fn.metricErrors({ period: FIVE_MINUTES }));
      this.alarm(`${entry}-Throttles`, `The ${entry} entry's Lambda was throttled: requests were refused before it ran`, fn.metricThrottles({ period: FIVE_MINUTES }));
    }

    const search = (label: string, dimensions: string[], metric: string, statistic = 'Sum'): cloudwatch.MathExpression =>
      // A search graphs every value a dimension takes, so the dashboard needs no change as targets come and go.
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${[METRICS_NAMESPACE, ...dimensions].join(',')}} MetricName="${metric}"', '${statistic}', 300)`,
        usingMetrics: {},
        label,
        period: FIVE_MINUTES,
      });
    const entries = [...functions.keys()];
    const perEntry = (metric: string, statistic: string, what = statistic): cloudwatch.Metric[] =>
      entries.map((entry) => broker(metric, { [DIMENSION.entry]: entry }).with({ statistic, label: `${entry} ${what}` }));
    const graph = (title: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget => new cloudwatch.GraphWidget({ title, left, width: 12 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `console-broker-${region}` });
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    this.dashboard.addWidgets(
      graph('Logins per target and entry', [search('', [DIMENSION.entry, DIMENSION.target], METRIC.login)]),
      graph('Refusals by reason', [search('', [DIMENSION.outcome], METRIC.refused)]),
    );
    this.dashboard.addWidgets(
      graph('Request duration (ms)', [...perEntry(METRIC.durationMs, 'p50'), ...perEntry(METRIC.durationMs, 'p99')]),
      graph('Time waiting on AWS per login (ms)', [...perEntry(METRIC.awsCallMs, 'p50'), ...perEntry(METRIC.awsCallMs, 'p99')]),
    );
    this.dashboard.addWidgets(
      graph('Cold starts and 5xx', [...perEntry(METRIC.coldStart, 'Sum', 'cold starts'), ...perEntry(METRIC.serverError, 'Sum', '5xx')]),
      graph('Lambda errors, throttles; doctor', [
        ...[...functions].flatMap(([entry, fn]) => [
          fn.metricErrors({ period: FIVE_MINUTES, label: `${entry} errors` }),
          fn.metricThrottles({ period: FIVE_MINUTES, label: `${entry} throttles` }),
        ]),
        broker(METRIC.doctorFailed, {}, DOCTOR_PERIOD).with({ statistic: 'Maximum', label: 'doctor: broken targets' }),
      ]),
    );
    // A run time creeping towards the doctor's timeout says targets will soon be reported NotChecked.
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Doctor: broken targets; run time (ms)',
        left: [broker(METRIC.doctorFailed, {}, DOCTOR_PERIOD).with({ statistic: 'Maximum', label: 'broken or not checked' })],
        right: [props.doctor.metricDuration({ period: DOCTOR_PERIOD, statistic: 'Maximum', label: 'longest run' })],
        width: 12,
      }),
    );
    // A dependency's rate limit (Slack's 429) is the broker's capacity, not its failure: graphed here, never paging.
    this.dashboard.addWidgets(graph('Requests a dependency rate-limited', [search('', [DIMENSION.entry, DIMENSION.dependency], METRIC.dependencyThrottled)]));
  }

  /**
   * An alarm on any occurrence in a period, to the topic on entering and on leaving the alarm state.
   * Missing data is not breaching unless said: the broker writes most metrics only when something happens.
   */
  private alarm(name: string, description: string, metric: cloudwatch.IMetric, treatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING): void {
    const alarm = new cloudwatch.Alarm(this, `${name}Alarm`, {
      alarmName: `${ALARM_PREFIX}${name}-${Stack.of(this).region}`,
      alarmDescription: `${description}. What to do: README, Operating it.`,
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
