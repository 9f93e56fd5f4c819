import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { assumeRole, createAwsClients, readSecretString } from './aws';
import { ExternalIdCache } from './external-id';
import { federationEndpoint, getSigninToken } from './federation';
import { createLogin, type LoginDependencies } from './login';
import { accessLog, errorPages, type BrokerContext } from './middleware';
import { parseRegistry } from './registry';
import { listTargets, parseLoginRequest, responseFormat, type FunctionUrlEvent } from './request';
import { loginResponse, targetListResponse } from './response';
import { readSettings } from './settings';

// The stack bakes the registry into the bundle at build time (see lib/broker-stack.ts).
const registry = parseRegistry(process.env.CONSOLE_BROKER_REGISTRY);
const settings = readSettings(process.env);
const clients = createAwsClients(settings.outboundTimeoutMs);
const endpoint = federationEndpoint(registry.partition, settings.federationEndpoint);

const deps: LoginDependencies = {
  externalIds: new ExternalIdCache((secretId) => readSecretString(clients.secrets, secretId), settings.externalIdMaxAgeMs),
  assumeRole: (input) => assumeRole(clients.sts, input),
  getSigninToken: (credentials) => getSigninToken(clients.http, endpoint, credentials),
  federationEndpoint: endpoint,
  now: () => new Date(),
};

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
