// One cold start of the Slack entry, timed from inside the process: `import` (init) or `answer` (init
// and a signed /console command, to the answer with its button in hand). Prints `BENCH {json}` on stderr.
import { createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const started = performance.now();
const [mode, bundlePath] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundlePath).href);
const imported = performance.now();
const result = { importMs: imported - started };

if (mode === 'answer' || mode === 'worst') {
  // `worst`: carol, whose address opens prod-billing, while the bench keeps users.info slow and STS hung for its role.
  const [user, text] = mode === 'worst' ? ['U0003CAROL', 'prod-billing'] : ['U0001ALICE', 'prod-readonly ec2 eu-central-1 -- bench'];
  const body = new URLSearchParams({ team_id: 'T0001ACME', user_id: user, command: '/console', text }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  // Signed as Slack signs: https://api.slack.com/authentication/verifying-requests-from-slack
  const signature = `v0=${createHmac('sha256', process.env.BENCH_SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const host = 'bench.lambda-url.eu-west-1.on.aws';
  const event = {
    version: '2.0',
    rawPath: '/',
    rawQueryString: '',
    headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    body,
    isBase64Encoded: false,
    requestContext: { domainName: host, domainPrefix: 'bench', apiId: 'bench', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' }, requestId: 'bench' },
  };
  const context = { awsRequestId: 'bench', functionName: 'console-broker-slack', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:console-broker-slack', getRemainingTimeInMillis: () => 15000 };
  const response = await handler(event, context);
  const answer = JSON.parse(response.body);
  const button = answer.blocks?.find((block) => block.type === 'actions')?.elements?.[0]?.url;
  if (mode === 'answer' && !button) throw new Error(`no button in the answer: ${response.body}`);
  if (mode === 'worst' && !/did not answer in time/.test(answer.text)) throw new Error(`not the timeout sentence: ${response.body}`);
  result.firstRequestMs = performance.now() - imported;
}
result.totalMs = performance.now() - started;
process.stderr.write(`BENCH ${JSON.stringify(result)}\n`);
