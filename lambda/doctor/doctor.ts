import { ASSUME_ROLE_DENIED, type AssumeRoleInput, type RoleSession } from '../core/aws';
import { badRequest, forbidden, HttpError, methodNotAllowed, notFound } from '../core/errors';
import { METRIC, METRICS_NAMESPACE } from '../core/metrics';
import { matchesPattern, type Registry, type Target } from '../core/registry';
import { callerArnOf, type FunctionUrlEvent } from '../core/request';

/**
 * RoleSessionName and SourceIdentity of the doctor's sessions, so a target account's CloudTrail tells them
 * from people's. It holds `=` after a word no caller identity starts with: lambda/core/identity.ts and
 * people.ts give `=` only after `user`, `federated-user`, `root`, `arn`, `oidc` and `oidc-issuer`, so no
 * person's or principal's identity can equal it (test/security/doctor-identity.test.ts).
 */
export const DOCTOR_SESSION_NAME = 'doctor=console-broker';
/** The EventBridge rule that runs the doctor on a schedule: the stack names it so, and the handler takes scheduled events only from it. */
export const DOCTOR_RULE_NAME = 'console-broker-doctor';
/** CloudWatch namespace and metric of a run: how many targets are broken or were not checked. */
export const DOCTOR_METRIC = { namespace: METRICS_NAMESPACE, name: METRIC.doctorFailed } as const;
/**
 * Time allowed each call to Secrets Manager and STS, tried once: both answer in well under a second,
 * and a check that fails on a slow call is reported, not retried; the next run checks it again.
 */
export const DOCTOR_CALL_TIMEOUT_MS = 2000;
/** Targets checked at once: a few hundred finish well inside the deadline without a burst at STS. */
const CONCURRENCY = 8;

export type TargetProblem = 'ExternalIdUnreadable' | 'TargetRefused' | 'SourceIdentityRefused' | 'AssumeRoleFailed' | 'UpstreamTimeout' | 'NotChecked';
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
  /** How many targets are broken, counting those the run had no time to check. */
  readonly broken: number;
  readonly targets: readonly TargetHealth[];
}

export interface DoctorDependencies {
  /** Reads a target's external ID from its secret, every time: never a login's cache, which it would disturb. */
  readonly readExternalId: (secretId: string) => Promise<string>;
  readonly assumeRole: (input: AssumeRoleInput) => Promise<RoleSession>;
  readonly now: () => Date;
}

function isAssumeDenied(error: unknown): boolean {
  return error instanceof HttpError && error.code === ASSUME_ROLE_DENIED;
}

/** An HttpError's message is written to be shown; anything else is named, never described. */
function messageOf(error: unknown): string {
  if (error instanceof HttpError) return error.message;
  return `the broker failed unexpectedly (${error instanceof Error ? error.name : 'UnknownError'})`;
}

function isTimedOut(error: unknown): boolean {
  return error instanceof HttpError && error.code === 'UpstreamTimeout';
}

/** A call that ran out of time says nothing about the target: AWS was slow, and the next run asks again. */
function timedOutAdvice(error: unknown, service: string): string {
  return (
    `${messageOf(error)} (the doctor allows ${DOCTOR_CALL_TIMEOUT_MS / 1000} s and tries once), so the target may well be fine; ` +
    `check the AWS Health Dashboard for ${service} in the broker's region and run the doctor again; if only this target times out run after run, look at its role and secret as for a refusal`
  );
}

/**
 * STS failed otherwise than by refusing: its error name is in the message. Throttling and
 * RegionDisabledException are STS's own errors for AssumeRole
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors,
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
 */
function assumeFailedAdvice(error: unknown): string {
  return (
    `${messageOf(error)}; Throttling: the broker account's STS request rate, which logins share, was exceeded, so run the doctor again in a few minutes and look for whoever calls STS in a loop; ` +
    "RegionDisabledException: activate STS in the broker's region (IAM console, Account settings); anything else: check the AWS Health Dashboard for STS and run the doctor again"
  );
}

/** How a failed assume that was not a refusal is reported. */
function failedAssume(error: unknown): [TargetProblem, string] {
  return isTimedOut(error) ? ['UpstreamTimeout', timedOutAdvice(error, 'AWS STS')] : ['AssumeRoleFailed', assumeFailedAdvice(error)];
}

/**
 * Does for one target what a login does, without the sign-in token: reads its external ID afresh and
 * assumes its role with a SourceIdentity. STS answers AccessDenied alike for a missing role, a trust
 * that does not admit the broker and a wrong external ID, so only a refused SetSourceIdentity (the
 * assume succeeds without one) can be told apart, by a second assume.
 */
async function checkTarget(deps: DoctorDependencies, target: Target, steps: DoctorStep[]): Promise<TargetHealth> {
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
  const about = aboutTarget(target);
  const broken = (problem: TargetProblem, advice: string): TargetHealth => ({ ...about, ok: false, problem, advice, steps });

  let externalId: string;
  try {
    externalId = await timed('read external ID', () => deps.readExternalId(target.externalIdSecretId));
  } catch (error) {
    if (isTimedOut(error)) return broken('UpstreamTimeout', timedOutAdvice(error, 'Secrets Manager'));
    return broken('ExternalIdUnreadable', `${messageOf(error)}; check that the secret exists, holds the external ID, and that the broker's login role may read it and decrypt it`);
  }
  const input: AssumeRoleInput = { roleArn: target.roleArn, externalId, sessionName: DOCTOR_SESSION_NAME };
  try {
    await timed('assume role', () => deps.assumeRole({ ...input, sourceIdentity: DOCTOR_SESSION_NAME }));
    return { ...about, ok: true, steps };
  } catch (error) {
    if (!isAssumeDenied(error)) return broken(...failedAssume(error));
  }
  try {
    await timed('assume role without SourceIdentity', () => deps.assumeRole(input));
  } catch (error) {
    if (!isAssumeDenied(error)) return broken(...failedAssume(error));
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

function aboutTarget(target: Target): Pick<TargetHealth, 'target' | 'accountId' | 'roleArn'> {
  return { target: target.name, accountId: target.accountId, roleArn: target.roleArn };
}

/** A target the run reached too late, or did not finish checking, before its deadline: broken until a run checks it. */
function notChecked(target: Target, steps: readonly DoctorStep[]): TargetHealth {
  return {
    ...aboutTarget(target),
    ok: false,
    problem: 'NotChecked',
    advice:
      'the doctor ran out of time before it finished checking this target, because calls to AWS were slow or did not answer; ' +
      'see the targets this run reports UpstreamTimeout, if any, and run the doctor again',
    steps,
  };
}

/**
 * Checks every target, a few at a time, and reports them in the registry's order. At `budgetMs` it
 * stops waiting: targets not yet checked, or still being checked, are reported NotChecked, so the run
 * always ends with a report, and so a line for the alarm, before the function's timeout.
 */
export async function runDoctor(deps: DoctorDependencies, targets: readonly Target[], budgetMs: number): Promise<DoctorReport> {
  const checkedAt = deps.now().toISOString();
  const results = new Map<number, TargetHealth>();
  const begun = new Map<number, DoctorStep[]>();
  const endsAt = performance.now() + budgetMs;
  // The workers share one iterator, so each target is checked once; none starts one after the deadline.
  const queue = targets.entries();
  const worker = async (): Promise<void> => {
    for (const [index, target] of queue) {
      if (performance.now() >= endsAt) break;
      const steps: DoctorStep[] = [];
      begun.set(index, steps);
      results.set(index, await checkTarget(deps, target, steps));
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, budgetMs));
  });
  await Promise.race([Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker)), deadline]);
  clearTimeout(timer);
  // Checks still under way finish on their own; the report is made now, without them.
  const health = targets.map((target, index) => results.get(index) ?? notChecked(target, [...(begun.get(index) ?? [])]));
  const broken = health.filter((t) => !t.ok).length;
  return { checkedAt, ok: broken === 0, broken, targets: health };
}

/** `GET /` on the doctor's function URL: the caller, when it matches one of the registry's operators. */
export function doctorCaller(event: FunctionUrlEvent, registry: Registry): string {
  if (event.rawPath !== '/') throw notFound('the doctor answers only GET / on its function URL');
  const method = event.requestContext.http.method;
  if (method !== 'GET') throw methodNotAllowed(`method ${method} is not allowed; use GET`);
  if (event.rawQueryString !== '') throw badRequest('the doctor takes no parameters');
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
 * Every run's log line: who ran it, the report's broken targets and, in CloudWatch embedded metric
 * format, the DoctorFailed metric with no dimensions, for an alarm that also hears a missing run.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function doctorLogLine(report: DoctorReport, requestId: string, ranBy: string): string {
  return JSON.stringify({
    _aws: {
      Timestamp: Date.parse(report.checkedAt),
      CloudWatchMetrics: [{ Namespace: DOCTOR_METRIC.namespace, Dimensions: [[]], Metrics: [{ Name: DOCTOR_METRIC.name, Unit: 'Count' }] }],
    },
    level: report.ok ? 'info' : 'error',
    message: 'doctor',
    requestId,
    ranBy,
    [DOCTOR_METRIC.name]: report.broken,
    checked: report.targets.length,
    broken: report.targets.filter((t) => !t.ok).map((t) => ({ target: t.target, problem: t.problem, advice: t.advice })),
  });
}
