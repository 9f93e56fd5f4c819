import { ASSUME_ROLE_DENIED, type AssumeRoleInput } from '../core/aws';
import { badRequest, forbidden, HttpError, methodNotAllowed } from '../core/errors';
import type { LoginDependencies } from '../core/login';
import { METRIC, METRICS_NAMESPACE } from '../core/metrics';
import { matchesPattern, type Registry, type Target } from '../core/registry';
import { callerArnOf, type FunctionUrlEvent } from '../core/request';

/** RoleSessionName and SourceIdentity of the doctor's sessions, so a target account's CloudTrail tells them from people's. */
export const DOCTOR_SESSION_NAME = 'console-broker-doctor';
/** The EventBridge rule that runs the doctor on a schedule: the stack names it so, and the handler takes scheduled events only from it. */
export const DOCTOR_RULE_NAME = 'console-broker-doctor';
/** CloudWatch namespace and metric of a scheduled run: how many targets are broken. */
export const DOCTOR_METRIC = { namespace: METRICS_NAMESPACE, name: METRIC.doctorFailed } as const;
/** Targets checked at once: a few hundred finish well inside the function's timeout without a burst at STS. */
const CONCURRENCY = 8;

export type TargetProblem = 'ExternalIdUnreadable' | 'TargetRefused' | 'SourceIdentityRefused' | 'AssumeRoleFailed' | 'UpstreamTimeout';
export type DoctorStepName = 'read external ID' | 'assume role' | 'assume role without SourceIdentity';

export interface DoctorStep {
  readonly step: DoctorStepName;
  readonly ok: boolean;
  readonly ms: number;
}

export interface TargetHealth {
  readonly target: string;
  readonly accountId: string;
  readonly roleArn: string;
  readonly ok: boolean;
  readonly problem?: TargetProblem;
  /** What is wrong and what to do about it, for a person. */
  readonly advice?: string;
  /** Each step a login takes (bar the sign-in token), in order, with how long it took. */
  readonly steps: readonly DoctorStep[];
}

export interface DoctorReport {
  readonly checkedAt: string;
  readonly ok: boolean;
  /** How many targets are broken. */
  readonly broken: number;
  readonly targets: readonly TargetHealth[];
}

export type DoctorDependencies = Pick<LoginDependencies, 'externalIds' | 'assumeRole' | 'now'>;

function isAssumeDenied(error: unknown): boolean {
  return error instanceof HttpError && error.code === ASSUME_ROLE_DENIED;
}

/** An HttpError's message is written to be shown; anything else is named, never described. */
function messageOf(error: unknown): string {
  if (error instanceof HttpError) return error.message;
  return `the broker failed unexpectedly (${error instanceof Error ? error.name : 'UnknownError'})`;
}

function failedCall(error: unknown): TargetProblem {
  return error instanceof HttpError && error.code === 'UpstreamTimeout' ? 'UpstreamTimeout' : 'AssumeRoleFailed';
}

/**
 * Does for one target what a login does, without the sign-in token: reads its external ID afresh and
 * assumes its role with a SourceIdentity. STS answers AccessDenied alike for a missing role, a trust
 * that does not admit the broker and a wrong external ID, so only a refused SetSourceIdentity (the
 * assume succeeds without one) can be told apart, by a second assume.
 */
async function checkTarget(deps: DoctorDependencies, target: Target): Promise<TargetHealth> {
  const steps: DoctorStep[] = [];
  const timed = async <T>(step: DoctorStepName, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const record = (ok: boolean): void => {
      steps.push({ step, ok, ms: Math.round(performance.now() - started) });
    };
    try {
      const result = await work();
      record(true);
      return result;
    } catch (error) {
      record(false);
      throw error;
    }
  };
  const about = { target: target.name, accountId: target.accountId, roleArn: target.roleArn };
  const broken = (problem: TargetProblem, advice: string): TargetHealth => ({ ...about, ok: false, problem, advice, steps });

  let externalId: string;
  try {
    externalId = await timed('read external ID', () => deps.externalIds.reread(target.externalIdSecretId));
  } catch (error) {
    return broken('ExternalIdUnreadable', `${messageOf(error)}; check that the secret exists, holds the external ID, and that the broker's login role may read it and decrypt it`);
  }
  const input: AssumeRoleInput = { roleArn: target.roleArn, externalId, sessionName: DOCTOR_SESSION_NAME };
  try {
    await timed('assume role', () => deps.assumeRole({ ...input, sourceIdentity: DOCTOR_SESSION_NAME }));
    return { ...about, ok: true, steps };
  } catch (error) {
    if (!isAssumeDenied(error)) return broken(failedCall(error), messageOf(error));
  }
  try {
    await timed('assume role without SourceIdentity', () => deps.assumeRole(input));
  } catch (error) {
    if (!isAssumeDenied(error)) return broken(failedCall(error), messageOf(error));
    return broken(
      'TargetRefused',
      `the target account refused: the role ${target.roleArn} is missing, or its trust policy does not admit the broker with this external ID; ` +
        `check that the role exists (its stack or template is deployed) and that its trust names the broker's login role and the external ID in ${target.externalIdSecretId}`,
    );
  }
  return broken(
    'SourceIdentityRefused',
    `the role's trust policy lets the broker assume it but not set a SourceIdentity (sts:SetSourceIdentity), so every login fails; ` +
      'redeploy the target stack or the standalone target template, whose trust allows it',
  );
}

/** Checks every target, a few at a time, and reports them in the registry's order. */
export async function runDoctor(deps: DoctorDependencies, targets: readonly Target[]): Promise<DoctorReport> {
  const checkedAt = deps.now().toISOString();
  const results = new Map<number, TargetHealth>();
  // The workers share one iterator, so each target is checked once.
  const queue = targets.entries();
  const worker = async (): Promise<void> => {
    for (const [index, target] of queue) results.set(index, await checkTarget(deps, target));
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
  const health = [...results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result);
  const broken = health.filter((t) => !t.ok).length;
  return { checkedAt, ok: broken === 0, broken, targets: health };
}

/** `GET /doctor` on the IAM entry: the caller, when it matches one of the registry's operators. */
export function doctorCaller(event: FunctionUrlEvent, registry: Registry): string {
  const method = event.requestContext.http.method;
  if (method !== 'GET') throw methodNotAllowed(`method ${method} is not allowed; use GET`);
  if (event.rawQueryString !== '') throw badRequest('/doctor takes no parameters');
  const callerArn = callerArnOf(event);
  if (!registry.operators.some((pattern) => matchesPattern(pattern, callerArn))) {
    throw forbidden(`${callerArn} is not among the operators who may run the doctor`);
  }
  return callerArn;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * True for exactly the event the doctor's EventBridge rule sends: a scheduled event whose resources
 * name that rule in the function's own account and region (the function ARN says which).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
export function isDoctorSchedule(event: unknown, invokedFunctionArn: string): boolean {
  const [, partition = '', , region = '', account = ''] = invokedFunctionArn.split(':');
  const ruleArn = `arn:${partition}:events:${region}:${account}:rule/${DOCTOR_RULE_NAME}`;
  if (!isObject(event) || event.source !== 'aws.events' || event['detail-type'] !== 'Scheduled Event' || event.account !== account) return false;
  const { resources } = event;
  return Array.isArray(resources) && resources.length === 1 && resources[0] === ruleArn;
}

/**
 * A scheduled run's log line: the report's broken targets and, in CloudWatch embedded metric format,
 * the DoctorFailed metric with no dimensions, for an alarm.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function doctorLogLine(report: DoctorReport, requestId: string): string {
  return JSON.stringify({
    _aws: {
      Timestamp: Date.parse(report.checkedAt),
      CloudWatchMetrics: [{ Namespace: DOCTOR_METRIC.namespace, Dimensions: [[]], Metrics: [{ Name: DOCTOR_METRIC.name, Unit: 'Count' }] }],
    },
    level: report.ok ? 'info' : 'error',
    message: 'doctor',
    requestId,
    [DOCTOR_METRIC.name]: report.broken,
    checked: report.targets.length,
    broken: report.targets.filter((t) => !t.ok).map((t) => ({ target: t.target, problem: t.problem, advice: t.advice })),
  });
}
