import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { HttpError } from './errors';
import { responseFormat, type FunctionUrlEvent } from './request';
import { errorResponse } from './response';

/** What the handler learns of a request and the access log line reports; never a secret. */
export interface AccessLogFields {
  route?: 'login' | 'targets' | 'web' | 'callback';
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
      request.context.accessLog = { route: 'login', caller: request.event.requestContext.authorizer?.iam?.userArn };
    },
    after: finish,
    onError: finish,
  };
}

/**
 * Turns a thrown error into the answer the caller sees, JSON or a small HTML page to match Accept.
 * Only an HttpError's own message is shown; anything else is a 500 that says no more.
 */
export function errorPages(): BrokerMiddleware {
  return {
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
        responseFormat(request.event.headers.accept),
      );
    },
  };
}
