import type { FakeAws } from '../fakes/aws';
import { bundledHandlerPath, startBundle, type RunningBundle } from './bundle';

/** The role and secret of cdk.out's prod-readonly target, as the fakes hold them for a login to succeed. */
export const PROD_READONLY_ROLE = 'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly';

/**
 * Starts the fakes and the bundled IAM entry from cdk.out in a fresh process, with prod-readonly's
 * external ID in its secret and its role's trust; `env` adds to the fakes' environment.
 */
export async function startLoginBundle(fake: FakeAws, externalId: string, env: Record<string, string> = {}): Promise<RunningBundle> {
  await fake.start();
  fake.roles.set(PROD_READONLY_ROLE, { externalId });
  fake.secrets.set('console-broker/external-id/prod-readonly', externalId);
  return startBundle(bundledHandlerPath(), { ...fake.env(), ...env });
}
