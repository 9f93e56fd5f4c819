import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import type { FunctionUrlEvent } from '../../lambda/core/request';

export interface EventOptions {
  readonly path?: string;
  readonly query?: string;
  readonly accept?: string;
  /** The IAM caller AWS authenticated; `null` for a request with no IAM authorizer. */
  readonly callerArn?: string | null;
  readonly method?: string;
}

export const FUNCTION_URL_DOMAIN = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';

/** A payload format 2.0 event, as a function URL with AWS_IAM auth delivers it. */
export function functionUrlEvent(options: EventOptions = {}): FunctionUrlEvent {
  const path = options.path ?? '/prod-readonly';
  const query = options.query ?? '';
  const method = options.method ?? 'GET';
  const callerArn = options.callerArn === undefined ? 'arn:aws:sts::111111111111:assumed-role/chatops-bot/slack-bot' : options.callerArn;
  const headers: Record<string, string> = { host: FUNCTION_URL_DOMAIN, 'user-agent': 'test' };
  if (options.accept !== undefined) headers.accept = options.accept;
  const queryStringParameters = query === '' ? undefined : Object.fromEntries(new URLSearchParams(query));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz012345',
      domainName: FUNCTION_URL_DOMAIN,
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(callerArn === null
        ? {}
        : {
            authorizer: {
              iam: {
                accessKey: 'ASIACALLERACCESSKEY0',
                accountId: callerArn.split(':')[4] ?? '',
                callerId: 'AROACALLER:session',
                cognitoIdentity: null,
                principalOrgId: 'o-example',
                userArn: callerArn,
                userId: 'AROACALLER:session',
              },
            },
          }),
    },
  };
}

/** What an EventBridge rule sends on its schedule: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html */
export function scheduledEvent(ruleArn = 'arn:aws:events:eu-west-1:111111111111:rule/console-broker-doctor'): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ruleArn.split(':')[4] ?? '',
    time: new Date().toISOString(),
    region: ruleArn.split(':')[3] ?? '',
    resources: [ruleArn],
    detail: {},
  };
}

/**
 * A Lambda context whose getRemainingTimeInMillis counts down from the function's timeout, `timeoutMs`,
 * as Lambda's does (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
 */
export function lambdaContext(requestId = randomUUID(), timeoutMs = 15_000): { awsRequestId: string; functionName: string; getRemainingTimeInMillis: () => number } & Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: requestId,
    functionName: 'console-broker-login',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:console-broker-login',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/console-broker-login',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
