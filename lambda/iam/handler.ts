import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { notFound } from '../core/errors';
import { loggedLogin } from '../core/login';
import { accessLog, errorPages, type BrokerContext } from '../core/middleware';
import { PARTITIONS } from '../core/partition';
import { listTargets, parseLoginRequest, requireOwnUrl, responseFormat, takeOnBehalf, type FunctionUrlEvent } from '../core/request';
import { loginResponse, targetListResponse } from '../core/response';
import { createRuntime } from '../core/runtime';

// The stack bakes the registry into the bundle at build time (see lib/constructs/login-function.ts).
const { registry, login: deps } = createRuntime(process.env, process.env.CONSOLE_BROKER_REGISTRY);
// The console sends people to the Issuer when their session ends. This AWS_IAM URL would show a browser
// only {"Message":"Forbidden"}: the stack names the browser entry when it has one; otherwise the
// partition's console, which asks a signed-out browser to sign in, is a page a person can use.
const issuer = process.env.CONSOLE_ISSUER_URL || `https://${PARTITIONS[registry.partition].consoleHost}/`;

async function login(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  // A bot that names a person: the line records whom it asked for, refused or not.
  const { onBehalf, rest } = takeOnBehalf(event.rawQueryString);
  context.accessLog.person = onBehalf?.email;
  const request = parseLoginRequest({ ...event, rawQueryString: rest }, registry, onBehalf);
  const result = await loggedLogin(deps, request, issuer, context.accessLog);
  return loginResponse(result, responseFormat(event.headers.accept));
}

async function route(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  requireOwnUrl(event, process.env);
  if (event.rawPath === '/targets') {
    context.accessLog.route = 'targets';
    return targetListResponse(listTargets(event, registry), responseFormat(event.headers.accept));
  }
  // `doctor` stays a reserved name, so that an old CLI calling here hears where the doctor went.
  if (event.rawPath === '/doctor') {
    throw notFound("the doctor has its own function URL, the ConsoleBroker stack's DoctorUrl output; console-broker doctor finds it");
  }
  return login(event, context);
}

/** Function URL requests; anything else is refused by errorPages. */
export const handler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>()
  .use(accessLog({ entry: 'iam' }))
  .use(errorPages())
  .handler(route);
