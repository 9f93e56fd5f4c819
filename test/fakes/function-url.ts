import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { FunctionUrlEvent } from '../../lambda/core/request';
import { lambdaContext } from '../support/events';
import { verifySigV4, type Credentials } from './sigv4';

/** An IAM principal the local function URL knows: its keys and the ARN AWS would report for it. */
export interface KnownCaller {
  readonly credentials: Credentials;
  readonly arn: string;
}

export type FunctionHandler = (event: FunctionUrlEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * What AWS does in front of a function with a function URL, each rule from Lambda's documentation:
 * - AWS_IAM checks the SigV4 signature and answers 403 `{"Message":"Forbidden"}` when it is missing or
 *   wrong; NONE serves anyone (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
 * - The event is payload format 2.0, the caller in requestContext.authorizer.iam for AWS_IAM, cookies
 *   apart from the headers, and the handler's result (status, headers, cookies, body) is the HTTP answer
 *   (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Request and response payloads").
 * - The context counts down from the function's timeout, which bounds the request
 *   (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
 */
export class LocalFunctionUrl {
  private server: Server | undefined;
  url = '';

  /**
   * `NONE` serves anyone, unsigned, with no authorizer in the event: the browser entry. `timeoutMs` is
   * the function's timeout, from which the context counts down as Lambda's does.
   */
  constructor(
    private readonly handler: FunctionHandler,
    private readonly callers: ReadonlyMap<string, KnownCaller>,
    private readonly authType: 'AWS_IAM' | 'NONE' = 'AWS_IAM',
    private readonly timeoutMs = 15_000,
  ) {}

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.serve(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
          res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: `handler failed: ${String(error)}` }));
        });
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const forbidden = (): void => {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' }).end('{"Message":"Forbidden"}');
    };
    let caller: KnownCaller | undefined;
    if (this.authType === 'AWS_IAM') {
      const verdict = await verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, 'lambda', (id) => this.callers.get(id)?.credentials);
      caller = verdict.ok ? this.callers.get(verdict.accessKeyId) : undefined;
      const token = req.headers['x-amz-security-token'];
      if (!caller || (caller.credentials.sessionToken !== undefined && token !== caller.credentials.sessionToken)) {
        forbidden();
        return;
      }
    }

    const result = await this.handler(this.eventFor(req, body, caller), this.context());
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
    if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
    res.writeHead(result.statusCode ?? 200);
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  }

  private eventFor(req: IncomingMessage, body: string, caller: KnownCaller | undefined): FunctionUrlEvent {
    const url = new URL(req.url ?? '/', 'http://local');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    headers['x-forwarded-proto'] = 'http';
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key] ?? ''},${value}` : value;
    const host = headers.host ?? '127.0.0.1';
    const now = new Date();
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
      ...(url.search ? { queryStringParameters: query } : {}),
      ...(body ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
      requestContext: {
        accountId: 'anonymous',
        apiId: 'local',
        domainName: host,
        domainPrefix: host.split('.')[0] ?? host,
        http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        ...(caller
          ? {
              authorizer: {
                iam: {
                  accessKey: caller.credentials.accessKeyId,
                  accountId: caller.arn.split(':')[4] ?? '',
                  callerId: `AROALOCAL:${caller.arn.split('/').pop() ?? ''}`,
                  cognitoIdentity: null,
                  principalOrgId: 'o-local',
                  userArn: caller.arn,
                  userId: `AROALOCAL:${caller.arn.split('/').pop() ?? ''}`,
                },
              },
            }
          : {}),
      },
    };
  }

  private context(): Context {
    return lambdaContext(undefined, this.timeoutMs) as unknown as Context;
  }
}
