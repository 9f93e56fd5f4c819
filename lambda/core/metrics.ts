/**
 * The broker's CloudWatch metrics, carried in its access log line in the embedded metric format: CloudWatch
 * Logs extracts them from the line Lambda already ships, so a request makes no extra network call.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const METRICS_NAMESPACE = 'ConsoleBroker';

/** Metric names, shared with the dashboard and alarms in lib/constructs/observability.ts. */
export const METRIC = {
  login: 'Login',
  refused: 'Refused',
  serverError: 'ServerError',
  durationMs: 'DurationMs',
  awsCallMs: 'AwsCallMs',
  coldStart: 'ColdStart',
  /** A dependency's rate limit decided the answer: the broker's own capacity, not its failure, so apart from ServerError. */
  dependencyThrottled: 'DependencyThrottled',
  /** Written by every doctor run: how many targets are broken (0 too, so a missing run shows); dimension-less. */
  doctorFailed: 'DoctorFailed',
} as const;

/**
 * Dimension names: the access log line's own fields. Each takes few values (three entries, the configured
 * targets, the broker's error codes), so the number of metrics stays bounded whatever callers send.
 */
export const DIMENSION = { entry: 'entry', target: 'target', outcome: 'outcome', dependency: 'dependency' } as const;

export type Entry = 'iam' | 'browser' | 'slack' | 'doctor';

type Unit = 'Count' | 'Milliseconds';

interface MetricDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string; readonly Unit: Unit }[];
}

/** The `_aws` block and the metric values it names, as members of the log line's root. */
export interface EmbeddedMetrics {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly MetricDirective[] };
  readonly [metric: string]: unknown;
}

/** What one request measured; the dimension values sit on the line already. */
export interface RequestMeasures {
  readonly loggedIn: boolean;
  readonly refused: boolean;
  readonly serverError: boolean;
  /** A dependency (the line's `dependency` field) answered that the broker is over its rate limit. */
  readonly throttled?: boolean;
  readonly coldStart: boolean;
  readonly durationMs: number;
  /** Time spent waiting on Secrets Manager, STS and the federation endpoint, when the request called them. */
  readonly awsCallMs?: number;
}

const directive = (dimensions: string[][], metrics: [string, Unit][]): MetricDirective => ({
  Namespace: METRICS_NAMESPACE,
  Dimensions: dimensions,
  Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
});

/**
 * The `_aws` block and the metric values to spread into an access log line that already holds the
 * entry, target and outcome fields. Login counts per entry and target, Refused per outcome (alone,
 * so an alarm can watch one code across entries, and per entry); the rest per entry and in total.
 */
export function embeddedMetrics(timestamp: number, measures: RequestMeasures): EmbeddedMetrics {
  const timing: [string, Unit][] = [
    [METRIC.durationMs, 'Milliseconds'],
    ...(measures.awsCallMs === undefined ? [] : [[METRIC.awsCallMs, 'Milliseconds'] as [string, Unit]]),
    [METRIC.coldStart, 'Count'],
    [METRIC.serverError, 'Count'],
  ];
  const directives = [
    directive([[DIMENSION.entry], []], timing),
    ...(measures.loggedIn ? [directive([[DIMENSION.entry, DIMENSION.target]], [[METRIC.login, 'Count']])] : []),
    ...(measures.refused ? [directive([[DIMENSION.outcome], [DIMENSION.entry, DIMENSION.outcome]], [[METRIC.refused, 'Count']])] : []),
    ...(measures.throttled === true ? [directive([[DIMENSION.dependency], [DIMENSION.entry, DIMENSION.dependency]], [[METRIC.dependencyThrottled, 'Count']])] : []),
  ];
  return {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: directives },
    [METRIC.durationMs]: measures.durationMs,
    ...(measures.awsCallMs === undefined ? {} : { [METRIC.awsCallMs]: Math.round(measures.awsCallMs) }),
    [METRIC.coldStart]: measures.coldStart ? 1 : 0,
    [METRIC.serverError]: measures.serverError ? 1 : 0,
    ...(measures.loggedIn ? { [METRIC.login]: 1 } : {}),
    ...(measures.refused ? { [METRIC.refused]: 1 } : {}),
    ...(measures.throttled === true ? { [METRIC.dependencyThrottled]: 1 } : {}),
  };
}
