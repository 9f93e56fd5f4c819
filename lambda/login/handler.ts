import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loggedLogin } from './login';
import { accessLog, errorPages, type BrokerContext } from './middleware';
import { listTargets, parseLoginRequest, responseFormat, type FunctionUrlEvent } from './request';
import { loginResponse, targetListResponse } from './response';
import { createRuntime } from './runtime';

// The stack bakes the registry into the bundle at build time (see lib/constructs/login-function.ts).
const { registry, login: deps } = createRuntime(process.env, process.env.CONSOLE_BROKER_REGISTRY);

async function login(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  const request = parseLoginRequest(event, registry);
  // The console sends people back to the Issuer when their session ends: this broker.
  const result = await loggedLogin(deps, request, `https://${event.requestContext.domainName}/`, context.accessLog);
  return loginResponse(result, responseFormat(event.headers.accept));
}

async function route(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  if (event.rawPath === '/targets') {
    context.accessLog.route = 'targets';
    return targetListResponse(listTargets(event, registry), responseFormat(event.headers.accept));
  }
  return login(event, context);
}

export const handler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>()
  .use(accessLog())
  .use(errorPages())
  .handler(route);
