/**
 * What CloudWatch Logs extracts from a log event in the embedded metric format. Each rule below is the
 * specification's; a document that breaks one throws, where CloudWatch would extract nothing from it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string | undefined;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamp: number;
}

type Json = Record<string, unknown>;

// MetricDatum's Unit values. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
const UNITS = new Set(
  [
    'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits',
    'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
    'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second',
    'Terabits/Second', 'Count/Second', 'None',
  ],
);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(rule: string): never {
  throw new Error(`not an embedded metric format document: ${rule}`);
}

// A name is 1-255 characters. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Metric.html
function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 255) fail(`${what} must be a string of 1-255 characters`);
  return value;
}

/** A dimension's target member: a string of ASCII printable characters, 1-1024 long (API_Dimension). */
function dimensionValue(root: Json, key: string): string {
  const value = root[key];
  if (typeof value !== 'string') fail(`dimension ${key} must reference a root member holding a string`);
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html
  if (value.length < 1 || value.length > 1024 || !/^[\x20-\x7e]*$/.test(value) || value.trim() === '') {
    fail(`dimension ${key} must be 1-1024 ASCII characters, not all whitespace`);
  }
  return value;
}

/** A metric's target member: a number, or an array of at most 100 numbers. */
function metricValues(root: Json, name: string): number[] {
  const value = root[name];
  const values = Array.isArray(value) ? value : [value];
  if (values.length > 100) fail(`metric ${name} holds more than 100 values`);
  if (!values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) fail(`metric ${name} must reference a root member holding numbers`);
  return values;
}

/** Every metric value one log line yields: one per metric definition and dimension set. */
export function extractMetrics(line: string): ExtractedMetric[] {
  // The log event MUST be a JSON object with nothing before or after it.
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    fail('the log event is not one JSON object');
  }
  if (!isObject(root)) fail('the log event is not a JSON object');
  const aws = root._aws;
  if (!isObject(aws)) fail('the root has no _aws metadata object');
  // Timestamp: milliseconds since the epoch, a number.
  const timestamp = aws.Timestamp;
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) fail('_aws.Timestamp must be milliseconds since 1970');
  if (!Array.isArray(aws.CloudWatchMetrics)) fail('_aws.CloudWatchMetrics must be an array of metric directives');

  return aws.CloudWatchMetrics.flatMap((directive: unknown) => {
    if (!isObject(directive)) fail('a metric directive must be an object');
    const namespace = requireName(directive.Namespace, 'Namespace');
    if (namespace.startsWith(':')) fail('Namespace must not start with a colon');
    const { Dimensions: dimensionSets, Metrics: metrics } = directive;
    if (!Array.isArray(dimensionSets)) fail('Dimensions must be an array of dimension sets');
    if (!Array.isArray(metrics)) fail('Metrics must be an array of metric definitions');
    // A directive MUST NOT hold more than 100 metric definitions.
    if (metrics.length > 100) fail('more than 100 metric definitions in one directive');
    const sets = dimensionSets.map((set: unknown) => {
      // A dimension set holds at most 30 keys, each a member of the root holding a string.
      if (!Array.isArray(set) || !set.every((key): key is string => typeof key === 'string')) fail('a dimension set must be an array of strings');
      if (set.length > 30) fail('a dimension set must not hold more than 30 dimensions');
      return Object.fromEntries(set.map((key) => [key, dimensionValue(root, key)]));
    });
    return metrics.flatMap((definition: unknown) => {
      if (!isObject(definition)) fail('a metric definition must be an object');
      const name = requireName(definition.Name, 'a metric Name');
      const unit = definition.Unit;
      if (unit !== undefined && (typeof unit !== 'string' || !UNITS.has(unit))) fail(`metric ${name} has a Unit CloudWatch does not know`);
      // StorageResolution: 1 (high resolution) or 60 (standard), when given.
      const resolution = definition.StorageResolution;
      if (resolution !== undefined && resolution !== 1 && resolution !== 60) fail(`metric ${name} has a StorageResolution other than 1 or 60`);
      const values = metricValues(root, name);
      return sets.map((dimensions) => ({ namespace, name, unit, dimensions, values, timestamp }));
    });
  });
}

/** The metric named `name` whose dimensions are exactly `dimensions`, from one line's extraction. */
export function findMetric(extracted: readonly ExtractedMetric[], name: string, dimensions: Record<string, string>): ExtractedMetric | undefined {
  return extracted.find((m) => m.name === name && JSON.stringify(m.dimensions) === JSON.stringify(dimensions));
}
