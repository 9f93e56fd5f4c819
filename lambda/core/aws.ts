import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { DeadlineHttpHandler } from './deadline';
import { badGateway, gatewayTimeout, HttpError, isTimeout } from './errors';
import type { SessionCredentials } from './federation';

export interface AwsClients {
  readonly sts: STSClient;
  readonly secrets: SecretsManagerClient;
  /** Plain HTTPS with the same timeouts, for the federation endpoint. */
  readonly http: NodeHttpHandler;
}

/**
 * One client per service for the life of the execution environment. Endpoints come from the SDK's
 * own resolution, so AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_SECRETS_MANAGER still apply.
 * The SDK's requestTimeout only warns unless throwOnRequestTimeout is set. A login tries each call
 * twice; the doctor, which must finish every target within its deadline, and the Slack entry, which
 * must answer within Slack's three seconds, once. A call made within a request's deadline
 * (lambda/core/deadline.ts) also ends when that does.
 */
export function createAwsClients(timeoutMs: number, maxAttempts = 2): AwsClients {
  const requestHandler = (): NodeHttpHandler =>
    new DeadlineHttpHandler({ connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true });
  // cacheMiddleware resolves each command's middleware stack once instead of on every call; nothing
  // here changes a stack after the first request.
  return {
    sts: new STSClient({ requestHandler: requestHandler(), maxAttempts, cacheMiddleware: true }),
    secrets: new SecretsManagerClient({ requestHandler: requestHandler(), maxAttempts, cacheMiddleware: true }),
    http: requestHandler(),
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined) throw badGateway('ExternalIdUnavailable', `secret ${secretId} holds no string value`);
    return answer.SecretString;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (isTimeout(error)) throw gatewayTimeout('Secrets Manager did not answer in time', error);
    throw badGateway('ExternalIdUnavailable', `the external ID secret ${secretId} could not be read (${errorName(error)})`, error);
  }
}

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly externalId: string;
  readonly sessionName: string;
  /** Left out only by the doctor, to tell a trust that refuses SetSourceIdentity from one that refuses the broker. */
  readonly sourceIdentity?: string;
}

export interface RoleSession {
  readonly credentials: SessionCredentials;
  readonly expiration: Date;
}

/** STS refused the assume: a wrong external ID, a missing role, or a trust policy that does not admit the broker. */
export const ASSUME_ROLE_DENIED = 'AssumeRoleDenied';

export async function assumeRole(client: STSClient, input: AssumeRoleInput): Promise<RoleSession> {
  let answer;
  try {
    answer = await client.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        ExternalId: input.externalId,
        RoleSessionName: input.sessionName,
        SourceIdentity: input.sourceIdentity,
        // No DurationSeconds: the broker's Lambda role assuming a target role is role chaining, capped at one
        // hour, and STS's default is that hour; a duration asked for from role credentials is what fails.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
      }),
    );
  } catch (error) {
    if (isTimeout(error)) throw gatewayTimeout('AWS STS did not answer in time', error);
    if (errorName(error) === 'AccessDenied') {
      throw badGateway(ASSUME_ROLE_DENIED, `the target account refused to let the broker assume ${input.roleArn}; check that its stack is deployed and its external ID is current`, error);
    }
    throw badGateway('AssumeRoleFailed', `AWS STS could not assume ${input.roleArn} (${errorName(error)})`, error);
  }
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw badGateway('AssumeRoleFailed', 'AWS STS answered without credentials');
  }
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    expiration: c.Expiration,
  };
}
