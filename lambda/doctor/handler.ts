import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  DOCTOR_CALL_TIMEOUT_MS,
  doctorCaller,
  doctorLogLine,
  isDoctorSchedule,
  runDoctor,
  type DoctorDependencies,
  type DoctorReport,
} from './doctor';
import { DOCTOR_DEADLINE_MARGIN_MS } from './timing';
import { assumeRole, createAwsClients, readSecretString } from '../core/aws';
import { externalIdIn } from '../core/external-id';
import { accessLog, errorPages, type BrokerContext } from '../core/middleware';
import { parseRegistry } from '../core/registry';
import { requireOwnUrl, type FunctionUrlEvent } from '../core/request';
import { COMMON_HEADERS } from '../core/response';
import { readSettings } from '../core/settings';

// The stack bakes the registry into the bundle at build time (see lib/constructs/login-function.ts).
const registry = parseRegistry(process.env.CONSOLE_BROKER_REGISTRY);
// Shorter calls than a login's, each tried once, and no cache of external IDs: every run reads each secret.
const clients = createAwsClients(readSettings(process.env, DOCTOR_CALL_TIMEOUT_MS).outboundTimeoutMs, 1);
const deps: DoctorDependencies = {
  readExternalId: async (secretId) => externalIdIn(secretId, await readSecretString(clients.secrets, secretId)),
  assumeRole: (input) => assumeRole(clients.sts, input),
  now: () => new Date(),
};

/** Runs every check within the function's remaining time and writes the run's line before answering. */
async function run(context: Context, ranBy: string): Promise<DoctorReport> {
  const report = await runDoctor(deps, registry.targets, context.getRemainingTimeInMillis() - DOCTOR_DEADLINE_MARGIN_MS);
  process.stdout.write(`${doctorLogLine(report, context.awsRequestId, ranBy)}\n`);
  return report;
}

async function operatorRun(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  requireOwnUrl(event, process.env);
  context.accessLog.route = 'doctor';
  const report = await run(context, doctorCaller(event, registry));
  return { statusCode: 200, headers: { ...COMMON_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify(report) };
}

const functionUrlHandler = middy<FunctionUrlEvent, APIGatewayProxyStructuredResultV2, Error, BrokerContext>()
  .use(accessLog({ entry: 'doctor' }))
  .use(errorPages())
  .handler(operatorRun);

/**
 * The doctor's own function: the hourly schedule's event, and operators through its AWS_IAM function
 * URL. A direct Invoke that copies the scheduled event gains nothing: it runs the same check, and the
 * answer holds only counts.
 */
export async function handler(event: FunctionUrlEvent, context: BrokerContext): Promise<APIGatewayProxyStructuredResultV2> {
  if (isDoctorSchedule(event, context.invokedFunctionArn)) {
    const report = await run(context, 'schedule');
    return { statusCode: 200, body: JSON.stringify({ ok: report.ok, checked: report.targets.length, broken: report.broken }) };
  }
  return functionUrlHandler(event, context);
}
