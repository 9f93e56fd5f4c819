import { describe, expect, it } from 'vitest';
import { accessLog, type BrokerContext } from '../lambda/core/middleware';
import { extractMetrics, findMetric } from './fakes/emf';
import { functionUrlEvent, lambdaContext } from './support/events';

describe('access log middleware', () => {
  it('names the entry it was made for, and a page answered with an error status by that status', async () => {
    // Prepare
    const lines: string[] = [];
    const log = accessLog({ entry: 'browser', write: (line) => lines.push(line) });
    const request = { event: functionUrlEvent(), context: lambdaContext() as unknown as BrokerContext, response: { statusCode: 401 }, error: null, internal: {} };

    // Act
    await log.before?.(request);
    await log.after?.(request);

    // Assess
    const extracted = extractMetrics(lines[0] ?? '');
    expect(findMetric(extracted, 'Refused', { entry: 'browser', outcome: 'Http401' })?.values).toEqual([1]);
    expect(findMetric(extracted, 'ServerError', { entry: 'browser' })?.values).toEqual([0]);
  });
});

describe('the fake CloudWatch extraction', () => {
  const line = (aws: unknown, members: Record<string, unknown> = { entry: 'iam', Login: 1 }): string => JSON.stringify({ ...members, _aws: aws });
  const directive = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    Namespace: 'ConsoleBroker',
    Dimensions: [['entry']],
    Metrics: [{ Name: 'Login', Unit: 'Count' }],
    ...overrides,
  });

  it('refuses what the specification refuses, so the broker cannot pass with a document CloudWatch would drop', () => {
    expect(() => extractMetrics(`${line({ Timestamp: 1, CloudWatchMetrics: [directive()] })} trailing`)).toThrow(/one JSON object/);
    expect(() => extractMetrics(line({ CloudWatchMetrics: [directive()] }))).toThrow(/Timestamp/);
    expect(() => extractMetrics(line({ Timestamp: 1, CloudWatchMetrics: [directive({ Dimensions: [['missing']] })] }))).toThrow(/dimension missing/);
    expect(() => extractMetrics(line({ Timestamp: 1, CloudWatchMetrics: [directive({ Metrics: [{ Name: 'Login', Unit: 'Logins' }] })] }))).toThrow(/Unit/);
    expect(() => extractMetrics(line({ Timestamp: 1, CloudWatchMetrics: [directive()] }, { entry: 'iam', Login: '1' }))).toThrow(/numbers/);
    expect(extractMetrics(line({ Timestamp: 1, CloudWatchMetrics: [directive()] }))).toEqual([
      { namespace: 'ConsoleBroker', name: 'Login', unit: 'Count', dimensions: { entry: 'iam' }, values: [1], timestamp: 1 },
    ]);
  });
});
