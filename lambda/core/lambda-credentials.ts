import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for @aws-sdk/credential-provider-node in the bundle (an esbuild alias set in
 * lib/constructs/login-function.ts). Lambda always hands the execution role's credentials to the
 * function in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * so the rest of the default chain (profiles, SSO, IMDS, web identity) can never answer there, yet
 * it is a third of the bundle and of its cold import time.
 */
export const defaultProvider = (): ReturnType<typeof fromEnv> => fromEnv();
