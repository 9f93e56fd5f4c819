import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { badRequest, HttpError, MethodNotAllowedError } from './errors';
import { responseFormat, type FunctionUrlEvent } from './request';
import { errorResponse } from './response';

/** What the handler learns of a request and the access log line reports; never a secret. */
export interface AccessLogFields {
  route?: 'login' | 'targets' | 'doctor' | 'web' | 'callback';
  caller?: string;
  target?: string;
  region?: string;
  destination?: string;
  sessionName?: string;
}

export interface BrokerContext extends Context {
  accessLog: AccessLogFields;
}

type BrokerRequest = Request<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>;
type BrokerMiddleware = MiddlewareObj<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>;

export interface AccessLogOptions {
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

/** One JSON line per request: who asked for what, how it ended, and how long it took. */
export function accessLog(options: AccessLogOptions = {}): BrokerMiddleware {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const started = new WeakMap<BrokerRequest, number>();

  const finish = (request: BrokerRequest): void => {
    const status = request.response?.statusCode ?? 500;
    const error = request.error;
    write(
      JSON.stringify({
        level: status >= 500 ? 'error' : 'info',
        message: 'request',
        requestId: request.context.awsRequestId,
        ...request.context.accessLog,
        status,
        outcome: status < 400 ? 'login' : error instanceof HttpError ? error.code : 'InternalError',
        ...(error && !(error instanceof HttpError) ? { error: error.name } : {}),
        durationMs: now() - (started.get(request) ?? now()),
      }),
    );
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
    },
  };
}
