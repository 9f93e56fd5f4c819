// One cold start, timed from inside the process: `import` (init) or `login` (init and the first
// request, to the login URL in hand). Prints one line `BENCH {json}` on stderr.
import { pathToFileURL } from 'node:url';

const started = performance.now();
const [mode, bundlePath] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundlePath).href);
const imported = performance.now();
const result = { importMs: imported - started };

if (mode === 'login') {
  const event = {
    version: '2.0',
    rawPath: '/prod-readonly',
    rawQueryString: 'service=ec2',
    headers: { accept: 'application/json', host: 'bench.lambda-url.eu-west-1.on.aws' },
    isBase64Encoded: false,
    requestContext: {
      domainName: 'bench.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'bench',
      apiId: 'bench',
      http: { method: 'GET', path: '/prod-readonly', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      authorizer: { iam: { userArn: 'arn:aws:sts::111111111111:assumed-role/chatops-bot/bench' } },
    },
  };
  // What Lambda's context always carries; the access log names the function from it.
  const context = { awsRequestId: 'bench', functionName: 'console-broker-login', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:console-broker-login', getRemainingTimeInMillis: () => 15000 };
  const response = await handler(event, context);
  const { loginUrl } = JSON.parse(response.body);
  if (!loginUrl) throw new Error(`no login URL: ${response.body}`);
  result.firstRequestMs = performance.now() - imported;
}
result.totalMs = performance.now() - started;
process.stderr.write(`BENCH ${JSON.stringify(result)}\n`);
