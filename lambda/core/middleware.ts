import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { badRequest, HttpError, MethodNotAllowedError, RetryLaterError } from './errors';
import { embeddedMetrics, type Entry } from './metrics';
import { responseFormat, type FunctionUrlEvent } from './request';
import { errorResponse } from './response';

/** What the handler learns of a request and the access log line reports; never a secret. */
export interface AccessLogFields {
  /** `help` and `link` (a deep link into the browser entry, which opens nothing itself) are the Slack entry's. */
  route?: 'login' | 'targets' | 'doctor' | 'web' | 'callback' | 'help' | 'link';
  caller?: string;
  target?: string;
  region?: string;
  destination?: string;
  sessionName?: string;
  /** The RoleSessionName when it is not the sessionName (the SourceIdentity): the bot that acted for a person. */
  roleSessionName?: string;
  /** Time the login spent waiting on AWS; the line carries it as the AwsCallMs metric. */
  awsCallMs?: number;
  /** The person a delegator bot (the caller) acted for, by e-mail address. */
  person?: string;
  /** Why the login was asked for, as the caller gave it (lambda/core/reason.ts). */
  reason?: string;
  /**
   * A refusal the entry answered with HTTP 200 (Slack shows any other status as its own failure): the
   * line reports the error's status and code, so the metrics count it as the refusal it is.
   */
  answered?: HttpError;
  /** The dependency (such as `slack`) whose rate limit decided the answer: a metric dimension, counted as DependencyThrottled. */
  dependency?: string;
}

export interface BrokerContext extends Context {
  accessLog: AccessLogFields;
}

type BrokerRequest = Request<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>;
type BrokerMiddleware = MiddlewareObj<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>;

export interface AccessLogOptions {
  /** Which door the line speaks for: a metric dimension. */
  readonly entry: Entry;
  /** Where each JSON line goes. @default - standard output, which Lambda sends to the function's log group */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringRecord = (value: unknown): boolean => isObject(value) && Object.values(value).every((v) => typeof v === 'string');

/**
 * What is wrong with an event that is not a function URL event (payload format 2.0) as the handlers
 * read it, or undefined. Lambda hands a direct Invoke's payload over as it is, in any shape.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export function malformation(event: unknown): string | undefined {
  if (!isObject(event)) return 'the event is not an object';
  if (!isStringRecord(event.headers)) return 'headers is not an object of strings';
  if (typeof event.rawPath !== 'string' || typeof event.rawQueryString !== 'string') return 'rawPath and rawQueryString must be strings';
  if (event.cookies !== undefined && !(Array.isArray(event.cookies) && event.cookies.every((c) => typeof c === 'string'))) return 'cookies is not a list of strings';
  const context = event.requestContext;
  if (!isObject(context)) return 'requestContext is missing';
  if (!isObject(context.http) || typeof context.http.method !== 'string') return 'requestContext.http.method is missing';
  if (typeof context.domainName !== 'string' || typeof context.apiId !== 'string' || typeof context.domainPrefix !== 'string') {
    return 'requestContext.domainName, domainPrefix and apiId must be strings';
  }
  const { authorizer } = context;
  if (authorizer === undefined) return undefined;
  if (!isObject(authorizer) || (authorizer.iam !== undefined && !isObject(authorizer.iam))) return 'requestContext.authorizer is malformed';
  const userArn = authorizer.iam?.userArn;
  return userArn === undefined || typeof userArn === 'string' ? undefined : 'requestContext.authorizer.iam.userArn is not a string';
}

/** The event's Accept header and IAM caller, read without trusting its shape: the error path must not throw. */
function acceptOf(event: unknown): string | undefined {
  const accept = isObject(event) && isObject(event.headers) ? event.headers.accept : undefined;
  return typeof accept === 'string' ? accept : undefined;
}

function callerOf(event: unknown): string | undefined {
  const context = isObject(event) ? event.requestContext : undefined;
  const authorizer = isObject(context) ? context.authorizer : undefined;
  const iam = isObject(authorizer) ? authorizer.iam : undefined;
  const userArn = isObject(iam) ? iam.userArn : undefined;
  return typeof userArn === 'string' ? userArn : undefined;
}

// Enough to tell clients apart; the header is the client's to fill, up to the function URL's header limits.
const MAX_USER_AGENT = 256;

/**
 * Where a request came from, from the function URL's request context
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads), read without
 * trusting its shape: logged for every request that no caller is known for, so that a flood can be traced.
 */
function sourceOf(event: unknown): { sourceIp?: string; userAgent?: string } {
  const context = isObject(event) ? event.requestContext : undefined;
  const http = isObject(context) ? context.http : undefined;
  if (!isObject(http)) return {};
  const { sourceIp, userAgent } = http;
  return { ...(typeof sourceIp === 'string' ? { sourceIp } : {}), ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, MAX_USER_AGENT) } : {}) };
}

/** The code a request ended with: login for a success, else the error's code. */
function outcomeOf(status: number, error: Error | null | undefined): string {
  if (status < 400) return 'login';
  if (error instanceof HttpError) return error.code;
  // A page answered with an error status without throwing (an expired session): name the status.
  return error || status >= 500 ? 'InternalError' : `Http${status}`;
}

/**
 * One JSON line per request: who asked for what, how it ended, and how long it took, with the
 * request's CloudWatch metrics embedded (lambda/core/metrics.ts).
 */
export function accessLog(options: AccessLogOptions): BrokerMiddleware {
  const { entry } = options;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const started = new WeakMap<BrokerRequest, number>();
  // This middleware is made once per execution environment, so its first request is the cold start.
  let coldStart = true;

  const finish = (request: BrokerRequest): void => {
    const { awsCallMs, answered, ...fields } = request.context.accessLog;
    const status = answered?.status ?? request.response?.statusCode ?? 500;
    const error = answered ?? request.error;
    const finishedAt = now();
    write(
      JSON.stringify({
        level: status >= 500 ? 'error' : 'info',
        message: 'request',
        requestId: request.context.awsRequestId,
        entry,
        ...fields,
        ...(fields.caller === undefined ? sourceOf(request.event) : {}),
        status,
        outcome: outcomeOf(status, error),
        ...(error && !(error instanceof HttpError) ? { error: error.name } : {}),
        ...embeddedMetrics(finishedAt, {
          loggedIn: status < 400 && fields.route === 'login' && fields.target !== undefined,
          refused: status >= 400,
          serverError: status >= 500,
          throttled: fields.dependency !== undefined,
          coldStart,
          durationMs: finishedAt - (started.get(request) ?? finishedAt),
          ...(awsCallMs === undefined ? {} : { awsCallMs }),
        }),
      }),
    );
    coldStart = false;
  };

  return {
    before: (request) => {
      started.set(request, now());
      request.context.accessLog = { route: 'login', caller: callerOf(request.event) };
    },
    after: finish,
    onError: finish,
  };
}

/**
 * Refuses an event that is not a function URL event with 400, and turns a thrown error into the answer
 * the caller sees, JSON or a small HTML page to match Accept. Only an HttpError's own message is
 * shown; anything else is a 500 that says no more.
 */
export function errorPages(): BrokerMiddleware {
  return {
    before: (request) => {
      const problem = malformation(request.event);
      if (problem !== undefined) throw badRequest(`not a function URL event: ${problem}`);
    },
    onError: (request) => {
      const error = request.error;
      const known = error instanceof HttpError;
      request.response = errorResponse(
        {
          status: known ? error.status : 500,
          code: known ? error.code : 'InternalError',
          message: known ? error.message : 'the broker failed unexpectedly; the request ID finds it in the logs',
          requestId: request.context.awsRequestId,
        },
        responseFormat(acceptOf(request.event)),
        error instanceof MethodNotAllowedError ? error.allowed : undefined,
      );
      if (error instanceof RetryLaterError) request.response.headers = { ...request.response.headers, 'retry-after': String(error.retryAfterSeconds) };
    },
  };
}
