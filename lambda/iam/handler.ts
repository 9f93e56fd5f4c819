import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { doctorCaller, doctorLogLine, isDoctorSchedule, runDoctor } from './doctor';
import { loggedLogin } from '../core/login';
import { accessLog, errorPages, type BrokerContext } from '../core/middleware';
import { PARTITIONS } from '../core/partition';
import { listTargets, parseLoginRequest, requireOwnUrl, responseFormat, takeOnBehalf, type FunctionUrlEvent } from '../core/request';
import { COMMON_HEADERS, loginResponse, targetListResponse } from '../core/response';
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
  if (event.rawPath === '/doctor') {
    context.accessLog.route = 'doctor';
    doctorCaller(event, registry);
    const report = await runDoctor(deps, registry.targets);
    return { statusCode: 200, headers: { ...COMMON_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify(report) };
  }
  return login(event, context);
}

const functionUrlHandler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>()
  .use(accessLog({ entry: 'iam' }))
  .use(errorPages())
  .handler(route);

/**
 * The doctor's schedule runs every target's check and writes the DoctorFailed metric. A direct Invoke
 * that copies this event gains nothing: it runs the same check, and the answer holds only counts.
 */
async function scheduledDoctor(context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const report = await runDoctor(deps, registry.targets);
  process.stdout.write(`${doctorLogLine(report, context.awsRequestId)}\n`);
  return { statusCode: 200, body: JSON.stringify({ ok: report.ok, checked: report.targets.length, broken: report.broken }) };
}

/** Function URL requests, and exactly the doctor rule's scheduled event; anything else is refused by errorPages. */
export async function handler(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  if (isDoctorSchedule(event, context.invokedFunctionArn)) return scheduledDoctor(context);
  return functionUrlHandler(event, context);
}
