import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLogin } from './login';
import { accessLog, errorPages, type BrokerContext } from './middleware';
import { listTargets, parseLoginRequest, responseFormat, type FunctionUrlEvent } from './request';
import { loginResponse, targetListResponse } from './response';
import { createRuntime } from './runtime';

// The stack bakes the registry into the bundle at build time (see lib/constructs/login-function.ts).
const { registry, login: deps } = createRuntime(process.env, process.env.CONSOLE_BROKER_REGISTRY);

async function login(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  const request = parseLoginRequest(event, registry);
  Object.assign(context.accessLog, {
    target: request.target.name,
    region: request.region,
    destination: request.destination.toString(),
  });
  // The console sends people back to the Issuer when their session ends: this broker.
  const issuer = `https://${event.requestContext.domainName}/`;
  const result = await createLogin(deps, request, issuer);
  context.accessLog.sessionName = result.sessionName;
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
