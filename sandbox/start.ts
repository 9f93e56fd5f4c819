import { SANDBOX_BROKEN_TARGET, SANDBOX_CALLERS, startSandbox } from './sandbox';

// `npm start`: the whole flow on this machine, with no AWS account.
async function main(): Promise<void> {
  const port = Number(process.env.CONSOLE_BROKER_SANDBOX_PORT ?? 9300);
  const sandbox = await startSandbox({ port });
  const { accessKeyId, secretAccessKey } = SANDBOX_CALLERS.allowed.credentials;
  process.stdout.write(`console-broker sandbox: the bundled Lambdas from cdk.out behind local function URLs, the login at ${sandbox.url}
STS, Secrets Manager and the federation endpoint (with a fake console) run on 127.0.0.1 too.

Signed in as ${SANDBOX_CALLERS.allowed.arn}, try:

  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN='${sandbox.aws.signinOrigins()}' npx console-broker login ${sandbox.exampleTarget} --url ${sandbox.url}

(--print prints the login URL instead of opening it; \`targets\` lists what you may open. The CLI opens a
login URL only on AWS's sign-in host, or on the origin CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN names for a broker on this machine.)

The doctor, in its own function at ${sandbox.doctorUrl}, checks every target and reports ${SANDBOX_BROKEN_TARGET},
whose owner deleted its role:

  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} npx console-broker doctor --doctor-url ${sandbox.doctorUrl}

Before a real \`cdk deploy\`, preflight says what would fail it; here against the sandbox's own Lambda, SSM,
STS, Secrets Manager and CloudFormation (the broker stack counts as deployed, so its secrets are its own):

  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_REGION=eu-west-1 ${sandbox.preflightEndpoints} npx console-broker preflight

${sandbox.entries.map((entry) => `The ${entry.name}, at ${entry.url}:\n\n  ${entry.howToTry.replace(/\n/g, '\n  ')}\n\n`).join('')}Ctrl-C stops the sandbox.
`);
  // The Lambda's own log lines go to standard output below this, one JSON line per request.
  const stop = (): void => {
    void sandbox.stop().then(() => {
      process.stdout.write('\nSandbox stopped.\n');
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
