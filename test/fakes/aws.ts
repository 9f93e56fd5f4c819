import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationError, CloudFormationModel, ResourceFailed, type Template } from './cloudformation';
import { accountOf, ALLOW_ASSUME_ANY_ROLE, authorizeAssumeRole, externalIdTrustPolicy, type PolicyDocument } from './iam';
import { SecretStore } from './secrets';
import { verifySigV4, type Credentials } from './sigv4';

/** The credentials the broker's own Lambda role runs with in tests. */
export const BROKER_CREDENTIALS: Credentials = {
  accessKeyId: 'ASIABROKERLAMBDAROLE',
  secretAccessKey: 'broker-lambda-secret-access-key-for-tests',
  sessionToken: 'broker-lambda-session-token-for-tests',
};

/**
 * A role in a target account. Either its trust policy as IAM holds it (what CloudFormation deployed),
 * or, for tests that are not about trust, the external IDs and principal of the IAM user guide's
 * third-party trust policy (test/fakes/iam.ts, externalIdTrustPolicy).
 */
export type FakeRole =
  | { readonly trustPolicy: PolicyDocument }
  | { readonly externalId: string; readonly trustedPrincipalArn?: string };

/** The role session the broker's own credentials stand for. */
export const BROKER_PRINCIPAL_ARN = 'arn:aws:iam::111111111111:role/console-broker-login-eu-west-1';

/** What the fake console shows about a signed-in browser. */
export interface ConsoleSession {
  readonly session: IssuedSession;
  readonly destination: string;
}

export interface IssuedSession extends Credentials {
  readonly sessionToken: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly sourceIdentity: string | undefined;
}

type FederationMode = 'ok' | 'html' | 'error-500' | 'no-token' | 'hang';

export interface RecordedCall {
  readonly service: 'sts' | 'secretsmanager' | 'federation' | 'cloudformation' | 'lambda' | 'ssm';
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
}

/** An error in the AWS query protocol's XML, as STS and CloudFormation answer. */
function queryError(res: ServerResponse, namespace: string, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' }).end(
    `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  return new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
}

/** The keys of the console sessions a browser holds: one, or with multi-session on up to five, in one cookie. */
function consoleSessionKeys(req: IncomingMessage): string[] {
  return (cookie(req, CONSOLE_COOKIE) ?? '').split('.').filter((key) => key !== '');
}

const CONSOLE_COOKIE = 'fake-console';
/**
 * The console's multi-session support is opted into per browser (AWS Management Console Getting Started
 * Guide, "Signing in to multiple accounts": "Opt-in is browser specific", up to five identities);
 * the fake keeps that choice in this cookie, which tests set as the console's own opt-in would.
 */
export const MULTI_SESSION_COOKIE = 'fake-multi-session';
const MAX_CONSOLE_SESSIONS = 5;

/**
 * Local stand-ins for STS (query protocol, XML answers), Secrets Manager (JSON 1.1), the federation
 * endpoint and the console (global and regional host), each on its own 127.0.0.1 port, checking what
 * AWS checks: SigV4 on the two APIs, the external ID in the trust policy, the session name and source
 * identity rules, the role-chaining cap.
 */
export class FakeAws {
  readonly roles = new Map<string, FakeRole>();
  /** Every IAM role that exists, by ARN: those CloudFormation made, and CDK's bootstrap roles (bootstrap()). */
  readonly iamRoles = new Set<string>();
  readonly secrets = new SecretStore();
  readonly sessions = new Map<string, IssuedSession>();
  readonly signinTokens = new Map<string, IssuedSession & { readonly issuedAt: number }>();
  /** Browser sessions of the fake console, by cookie value. */
  readonly consoleSessions = new Map<string, ConsoleSession>();
  /** Sign-ins on their way from the sign-in origin to the regional console, by one-time code. */
  private readonly arrivingSessions = new Map<string, ConsoleSession>();
  readonly calls: RecordedCall[] = [];
  federationMode: FederationMode = 'ok';
  /** Milliseconds the servers spent answering, summed over every request. */
  serverTimeMs = 0;
  /** Milliseconds STS and Secrets Manager wait before answering. */
  stsDelayMs = 0;
  secretsDelayMs = 0;
  /** Roles whose AssumeRole STS never answers, as a call lost on the network looks to the caller. */
  readonly stalledRoles = new Set<string>();
  /** Who may call the APIs, by access key ID: the broker, and whoever a test adds. */
  readonly principals = new Map<string, Credentials>([[BROKER_CREDENTIALS.accessKeyId, BROKER_CREDENTIALS]]);
  /** The IAM principal (aws:PrincipalArn) behind each access key ID; the broker's unless a test adds one. */
  readonly principalArns = new Map<string, string>([[BROKER_CREDENTIALS.accessKeyId, BROKER_PRINCIPAL_ARN]]);
  /** Identity policies of the principals that call STS, by principal ARN; any principal may assume any role unless set. */
  readonly identityPolicies = new Map<string, PolicyDocument>();
  /** Stacks as CloudFormation deploys them, resolving dynamic references from `secrets`; see cloudformation.ts. */
  readonly deployments = new CloudFormationModel(this.secrets, {
    'AWS::IAM::Role': (stack, _id, properties) => {
      const arn = `arn:aws:iam::${stack.account}:role/${String(properties.RoleName)}`;
      const trustPolicy = properties.AssumeRolePolicyDocument as PolicyDocument;
      // IAM refuses a trust policy that names a role which does not exist: a role principal is stored
      // as the role's unique ID. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
      const missing = trustPolicy.Statement.flatMap((statement) => [(statement.Principal as { AWS?: unknown } | undefined)?.AWS ?? []].flat())
        .filter((principal): principal is string => typeof principal === 'string' && /^arn:aws[\w-]*:iam::\d{12}:role\//.test(principal))
        .filter((principal) => !this.iamRoles.has(principal));
      if (missing.length > 0) throw new ResourceFailed('InvalidRequest', 'Invalid principal in policy (Service: Iam, Status Code: 400, Error Code: MalformedPolicyDocument)');
      this.roles.set(arn, { trustPolicy });
      this.iamRoles.add(arn);
      return arn;
    },
    'AWS::SecretsManager::Secret': (stack, id, properties, created) => {
      const name = String(properties.Name);
      // CreateSecret refuses a name that a secret in the account and region already has.
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
      if (created && this.secrets.has(name)) {
        throw new ResourceFailed('AlreadyExists', `The operation failed because the secret ${name} already exists. (Service: SecretsManager, Status Code: 400, Error Code: ResourceExistsException)`);
      }
      // What GenerateSecretString with the template's length and no punctuation produces.
      if (created) this.secrets.set(name, randomBytes(64).toString('base64url').replace(/[-_]/g, 'x').slice(0, (properties.GenerateSecretString as { PasswordLength?: number } | undefined)?.PasswordLength ?? 32));
      // CloudFormation's stack-level tags on what it creates:
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html
      if (created) this.secrets.tag(name, { 'aws:cloudformation:stack-name': stack.name, 'aws:cloudformation:stack-id': stack.id, 'aws:cloudformation:logical-id': id });
      return `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;
    },
    // An inline policy adds to what its roles may do (their identity policy, for STS's decisions).
    'AWS::IAM::Policy': (stack, id, properties) => {
      this.attachToRoles(properties.PolicyDocument as PolicyDocument, properties.Roles as string[]);
      return `${stack.name}-${id}`;
    },
    // So does a customer managed policy, for the roles it is attached to.
    'AWS::IAM::ManagedPolicy': (stack, id, properties) => {
      this.attachToRoles(properties.PolicyDocument as PolicyDocument, (properties.Roles as string[] | undefined) ?? []);
      return `arn:aws:iam::${stack.account}:policy/${stack.name}-${id}`;
    },
  }, 'aws', {
    'AWS::IAM::Role': (_stack, arn) => {
      this.roles.delete(arn);
      this.iamRoles.delete(arn);
    },
    // Secrets Manager would keep a deleted secret, and its name, for a recovery window unless asked to
    // delete it at once; CloudFormation's deletion of a secret frees the name (see README's table).
    'AWS::SecretsManager::Secret': (_stack, _arn, properties) => {
      this.secrets.delete(String(properties.Name));
    },
  });
  /** Outputs of deployed stacks, for CloudFormation's DescribeStacks. */
  readonly stackOutputs = new Map<string, Record<string, string>>();

  private readonly servers: Server[] = [];
  stsUrl = '';
  secretsManagerUrl = '';
  /** The global sign-in host, `signin.aws.amazon.com`. */
  federationUrl = '';
  /** us-east-1's regional sign-in host, `us-east-1.signin.aws.amazon.com`: another origin, the same service. */
  regionalFederationUrl = '';
  /** The console host and the regional console host it sends browsers on to: each its own origin, as in AWS. */
  consoleUrl = '';
  regionalConsoleUrl = '';
  cloudFormationUrl = '';
  lambdaUrl = '';
  ssmUrl = '';
  /**
   * Each account's Lambda concurrency in the fake's one region, as GetAccountSettings reports it: the
   * quota, and how much of it functions reserve. Unset is the default quota of 1,000 with nothing reserved
   * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
   */
  readonly lambdaConcurrency = new Map<string, { readonly quota: number; readonly reserved: number }>();
  /** SSM parameters, by `<account>/<region>/<name>`: what `cdk bootstrap` writes its version to. */
  readonly ssmParameters = new Map<string, string>();

  async start(): Promise<this> {
    this.stsUrl = await this.listen((req, res, body) => this.sts(req, res, body));
    this.secretsManagerUrl = await this.listen((req, res, body) => this.secretsManager(req, res, body));
    this.federationUrl = `${await this.listen((req, res) => { this.federation(req, res, 'global'); })}/federation`;
    this.regionalFederationUrl = `${await this.listen((req, res) => { this.federation(req, res, 'regional'); })}/federation`;
    this.consoleUrl = await this.listen((req, res) => { this.console(req, res); });
    this.regionalConsoleUrl = await this.listen((req, res) => { this.regionalConsole(req, res); });
    this.cloudFormationUrl = await this.listen((req, res, body) => this.cloudFormation(req, res, body));
    this.lambdaUrl = await this.listen((req, res, body) => this.lambda(req, res, body));
    this.ssmUrl = await this.listen((req, res, body) => this.ssm(req, res, body));
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => { resolve(); });
          }),
      ),
    );
  }

  /** Environment that points the SDK and the handler at these servers. */
  env(): Record<string, string> {
    return {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: BROKER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BROKER_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: BROKER_CREDENTIALS.sessionToken ?? '',
      AWS_ENDPOINT_URL_STS: this.stsUrl,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.secretsManagerUrl,
      FEDERATION_ENDPOINT: this.federationUrl,
      LOGOUT_ENDPOINT: this.regionalFederationUrl,
      CONSOLE_ORIGINS: `${this.consoleUrl} ${this.regionalConsoleUrl}`,
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.cloudFormationUrl,
      AWS_ENDPOINT_URL_LAMBDA: this.lambdaUrl,
      AWS_ENDPOINT_URL_SSM: this.ssmUrl,
      // The SDK warns once about Node.js 20, which runs the tests here; Lambda runs a newer one.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  private attachToRoles(document: PolicyDocument, roleArns: readonly string[]): void {
    for (const roleArn of roleArns) {
      const before = this.identityPolicies.get(roleArn)?.Statement ?? [];
      this.identityPolicies.set(roleArn, { Version: '2012-10-17', Statement: [...before, ...document.Statement] });
    }
  }

  callsTo(service: RecordedCall['service']): RecordedCall[] {
    return this.calls.filter((c) => c.service === service);
  }

  private async listen(handle: (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> | void): Promise<string> {
    const server = createServer((req, res) => {
      const started = performance.now();
      res.on('finish', () => {
        this.serverTimeMs += performance.now() - started;
      });
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        Promise.resolve(handle(req, res, Buffer.concat(chunks).toString('utf8'))).catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
      });
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async authenticate(req: IncomingMessage, body: string, service: string): Promise<string | undefined> {
    const verdict = await verifySigV4({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, service, (id) => this.principals.get(id) ?? this.sessions.get(id));
    return verdict.ok ? undefined : verdict.reason;
  }

  /** The principal behind a signed request: a test's principal by access key, or a session the fake issued. */
  private callerOf(req: IncomingMessage): { principalArn: string; sessionArn: string } {
    const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const session = this.sessions.get(accessKeyId);
    if (session) {
      const [, , , , account = '', resource = ''] = session.roleArn.split(':');
      return { principalArn: session.roleArn, sessionArn: `arn:aws:sts::${account}:assumed-role/${resource.replace('role/', '')}/${session.sessionName}` };
    }
    const principalArn = this.principalArns.get(accessKeyId) ?? '';
    const [, , , , account = '', resource = ''] = principalArn.split(':');
    const sessionArn = resource.startsWith('role/') ? `arn:aws:sts::${account}:assumed-role/${resource.slice('role/'.length)}/session` : principalArn;
    return { principalArn, sessionArn };
  }

  private async sts(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const params = Object.fromEntries(new URLSearchParams(body));
    this.calls.push({ service: 'sts', action: params.Action ?? '', params });
    const stsError = (status: number, code: string, message: string): void => {
      queryError(res, 'https://sts.amazonaws.com/doc/2011-06-15/', status, code, message);
    };
    const authError = await this.authenticate(req, body, 'sts');
    if (authError) { stsError(403, 'SignatureDoesNotMatch', authError); return; }
    if (this.stsDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.stsDelayMs));
    if (params.Action === 'GetCallerIdentity') { this.callerIdentity(req, res); return; }
    if (params.Action !== 'AssumeRole') { stsError(400, 'InvalidAction', `Could not find operation ${params.Action ?? ''}`); return; }
    if (this.stalledRoles.has(params.RoleArn ?? '')) return;

    const roleArn = params.RoleArn ?? '';
    const sessionName = params.RoleSessionName ?? '';
    const sourceIdentity = params.SourceIdentity;
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) { stsError(400, 'ValidationError', 'Invalid RoleSessionName'); return; }
    if (sourceIdentity !== undefined && !/^[\w+=,.@-]{2,64}$/.test(sourceIdentity)) { stsError(400, 'ValidationError', 'Invalid SourceIdentity'); return; }
    // The caller is itself a role session, so this is role chaining: at most one hour, which is also the
    // default when DurationSeconds is left out (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
    const durationSeconds = Number(params.DurationSeconds ?? '3600');
    if (durationSeconds > 3600) {
      stsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'); return;
    }
    const caller = this.callerOf(req);
    const role = this.roles.get(roleArn);
    const trustPolicy = role === undefined ? undefined : 'trustPolicy' in role ? role.trustPolicy : externalIdTrustPolicy([role.externalId], role.trustedPrincipalArn ?? BROKER_PRINCIPAL_ARN);
    // A missing role and a trust policy that does not admit the caller get the same answer from STS.
    const verdict = trustPolicy === undefined
      ? { allowed: false as const, action: 'sts:AssumeRole' }
      : await authorizeAssumeRole(trustPolicy, this.identityPolicies.get(caller.principalArn) ?? ALLOW_ASSUME_ANY_ROLE, {
          principalArn: caller.principalArn,
          sessionArn: caller.sessionArn,
          roleArn,
          externalId: params.ExternalId,
          roleSessionName: sessionName,
          sourceIdentity,
        });
    if (!verdict.allowed) {
      stsError(403, 'AccessDenied', `User: ${caller.sessionArn} is not authorized to perform: ${verdict.action} on resource: ${roleArn}`); return;
    }
    const session: IssuedSession = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(120).toString('base64'),
      roleArn,
      sessionName,
      sourceIdentity,
    };
    this.sessions.set(session.accessKeyId, session);
    const expiration = new Date(Date.now() + durationSeconds * 1000).toISOString();
    const [, , , , account = '', resource = ''] = roleArn.split(':');
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
        (sourceIdentity ? `<SourceIdentity>${sourceIdentity}</SourceIdentity>` : '') +
        `<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:${sessionName}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${resource.replace('role/', '')}/${sessionName}</Arn></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${session.secretAccessKey}</SecretAccessKey><SessionToken>${session.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  /**
   * GetCallerIdentity: who signed, which no policy can refuse
   * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
   */
  private callerIdentity(req: IncomingMessage, res: ServerResponse): void {
    const caller = this.callerOf(req);
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
        `<Arn>${caller.sessionArn}</Arn><UserId>AROAEXAMPLE:session</UserId><Account>${accountOf(caller.principalArn)}</Account>` +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  }

  /** The region a request was signed for, from its credential scope: what a regional endpoint serves. */
  private signedRegion(req: IncomingMessage): string {
    return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
  }

  /**
   * Lambda's REST-JSON GetAccountSettings, GET /2016-08-19/account-settings/: the account's concurrency
   * quota and what functions leave unreserved
   * (https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html); errors carry their code
   * in X-Amzn-ErrorType.
   */
  private async lambda(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    this.calls.push({ service: 'lambda', action: `${req.method ?? ''} ${path}`, params: {} });
    const error = (status: number, code: string, message: string): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code }).end(JSON.stringify({ Type: 'User', message }));
    };
    const authError = await this.authenticate(req, body, 'lambda');
    if (authError) { error(403, 'InvalidSignatureException', authError); return; }
    // The SDK's model sends the path without the page's trailing slash; Lambda answers both.
    if (req.method !== 'GET' || path.replace(/\/$/, '') !== '/2016-08-19/account-settings') { error(404, 'UnknownOperationException', 'Unknown operation'); return; }
    const { quota, reserved } = this.lambdaConcurrency.get(accountOf(this.callerOf(req).principalArn)) ?? { quota: 1000, reserved: 0 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        AccountLimit: { TotalCodeSize: 80530636800, CodeSizeUnzipped: 262144000, CodeSizeZipped: 52428800, ConcurrentExecutions: quota, UnreservedConcurrentExecutions: quota - reserved },
        AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
      }),
    );
  }

  /**
   * SSM's JSON 1.1 GetParameter (X-Amz-Target AmazonSSM.GetParameter) on the caller's own account and
   * the region it signed for, ParameterNotFound when there is none
   * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html).
   */
  private async ssm(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
    const input = JSON.parse(body || '{}') as { Name?: string };
    this.calls.push({ service: 'ssm', action, params: { Name: input.Name ?? '' } });
    const answer = (status: number, payload: object): void => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
    };
    const authError = await this.authenticate(req, body, 'ssm');
    if (authError) { answer(400, { __type: 'UnrecognizedClientException', message: authError }); return; }
    if (action !== 'GetParameter') { answer(400, { __type: 'UnknownOperationException' }); return; }
    const account = accountOf(this.callerOf(req).principalArn);
    const region = this.signedRegion(req);
    const name = input.Name ?? '';
    const value = this.ssmParameters.get(`${account}/${region}/${name}`);
    if (value === undefined) { answer(400, { __type: 'ParameterNotFound', message: '' }); return; }
    answer(200, {
      Parameter: { Name: name, Type: 'String', Value: value, Version: 1, DataType: 'text', LastModifiedDate: Date.now() / 1000, ARN: `arn:aws:ssm:${region}:${account}:parameter${name}` },
    });
  }

  /**
   * Secrets Manager's JSON 1.1 protocol for the operations the broker and its rotation use, with the
   * answers and errors of the API reference (https://docs.aws.amazon.com/secretsmanager/latest/apireference/).
   */
  private async secretsManager(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse(body || '{}') as {
      SecretId?: string; VersionStage?: string; VersionId?: string; SecretString?: string; VersionStages?: string[];
      ClientRequestToken?: string; MoveToVersionId?: string; RemoveFromVersionId?: string; PasswordLength?: number;
    };
    const action = target.replace('secretsmanager.', '');
    this.calls.push({ service: 'secretsmanager', action, params: { SecretId: input.SecretId ?? '', ...(input.VersionStage ? { VersionStage: input.VersionStage } : {}) } });
    const answer = (status: number, payload: object): void => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
    };
    const authError = await this.authenticate(req, body, 'secretsmanager');
    if (authError) { answer(400, { __type: 'UnrecognizedClientException', message: authError }); return; }
    if (this.secretsDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.secretsDelayMs));
    if (action === 'GetRandomPassword') {
      answer(200, { RandomPassword: randomBytes(96).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, input.PasswordLength ?? 32) });
      return;
    }
    const name = input.SecretId ?? '';
    const arn = `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;
    if (!this.secrets.has(name)) { answer(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }); return; }
    const { tags, deletedDate } = this.secrets.describe(name);
    // A secret scheduled for deletion keeps its name and metadata, but its value cannot be read or changed
    // (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html, DeletedDate).
    if (deletedDate && action !== 'DescribeSecret') {
      answer(400, { __type: 'InvalidRequestException', message: "You can't perform this operation on the secret because it was marked for deletion." });
      return;
    }
    switch (action) {
      case 'GetSecretValue': {
        const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
        const versionId = input.VersionId ?? this.secrets.versionIdWith(name, stage ?? '');
        const value = versionId === undefined ? undefined : this.secrets.getVersion(name, versionId);
        if (versionId === undefined || value === undefined) {
          answer(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret value for staging label: ${stage ?? ''}` });
          return;
        }
        answer(200, { ARN: arn, Name: name, SecretString: value, VersionId: versionId, VersionStages: this.secrets.stages(name)?.[versionId] ?? [], CreatedDate: (this.secrets.createdAt(name, versionId) ?? new Date()).getTime() / 1000 });
        return;
      }
      case 'DescribeSecret':
        answer(200, {
          ARN: arn,
          Name: name,
          VersionIdsToStages: this.secrets.stages(name),
          ...(Object.keys(tags).length > 0 ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
          ...(deletedDate ? { DeletedDate: deletedDate.getTime() / 1000 } : {}),
        });
        return;
      case 'PutSecretValue': {
        const versionId = this.secrets.put(name, input.SecretString ?? '', input.VersionStages ?? [], input.ClientRequestToken);
        answer(200, { ARN: arn, Name: name, VersionId: versionId, VersionStages: this.secrets.stages(name)?.[versionId] ?? [] });
        return;
      }
      case 'UpdateSecretVersionStage': {
        const stage = input.VersionStage ?? '';
        // Moving a label off a version that does not hold it is refused.
        if (input.RemoveFromVersionId !== undefined && this.secrets.versionIdWith(name, stage) !== input.RemoveFromVersionId) {
          answer(400, { __type: 'InvalidParameterException', message: `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}` });
          return;
        }
        this.secrets.moveStage(name, stage, input.MoveToVersionId);
        answer(200, { ARN: arn, Name: name });
        return;
      }
      default:
        answer(400, { __type: 'UnknownOperationException' });
    }
  }

  /** CloudFormation's query protocol: DescribeStacks and UpdateStack, on the stacks of `deployments` and `stackOutputs`. */
  private async cloudFormation(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const params = Object.fromEntries(new URLSearchParams(body));
    this.calls.push({ service: 'cloudformation', action: params.Action ?? '', params });
    const error = (status: number, code: string, message: string): void => {
      queryError(res, 'http://cloudformation.amazonaws.com/doc/2010-05-15/', status, code, message);
    };
    const xml = (action: string, result: string): void => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(
        `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    };
    const authError = await this.authenticate(req, body, 'cloudformation');
    if (authError) { error(403, 'SignatureDoesNotMatch', authError); return; }
    const name = params.StackName ?? '';
    const stack = this.deployments.stacks.get(name);
    // Outputs only a real deploy knows the value of (a function URL) come from `stackOutputs`.
    const given = this.stackOutputs.get(name);
    const outputs = stack || given ? { ...stack?.outputs, ...given } : undefined;
    if (params.Action === 'UpdateStack' && stack) {
      // Only the target account's own credentials (CDK's deploy role there) can update its stacks.
      if (accountOf(this.callerOf(req).principalArn) !== stack.account) {
        error(403, 'AccessDenied', `User is not authorized to perform: cloudformation:UpdateStack on resource: ${name}`); return;
      }
      if (params.UsePreviousTemplate !== 'true') { error(400, 'ValidationError', 'the fake updates stacks with UsePreviousTemplate only'); return; }
      const given: Record<string, string> = {};
      for (let i = 1; params[`Parameters.member.${String(i)}.ParameterKey`] !== undefined; i++) {
        const key = params[`Parameters.member.${String(i)}.ParameterKey`] ?? '';
        const value = params[`Parameters.member.${String(i)}.ParameterValue`];
        if (value !== undefined) given[key] = value;
      }
      try {
        this.deployments.deploy(name, stack.account, stack.region, stack.template, given);
      } catch (caught) {
        if (caught instanceof CloudFormationError) { error(400, caught.code, caught.message); return; }
        throw caught;
      }
      xml('UpdateStack', `<StackId>arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${name}/1</StackId>`);
      return;
    }
    if (params.Action !== 'DescribeStacks' || !outputs) { error(400, 'ValidationError', `Stack with id ${name} does not exist`); return; }
    const members = Object.entries(outputs).map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`);
    const parameters = Object.entries(stack?.parameters ?? {}).map(([key, value]) => `<member><ParameterKey>${key}</ParameterKey><ParameterValue>${value}</ParameterValue></member>`);
    xml(
      'DescribeStacks',
      `<Stacks><member><StackName>${name}</StackName><StackId>${stack?.id ?? `arn:aws:cloudformation:eu-west-1:111111111111:stack/${name}/${randomUUID()}`}</StackId>` +
        `<StackStatus>${stack?.status ?? 'CREATE_COMPLETE'}</StackStatus><CreationTime>${new Date().toISOString()}</CreationTime>` +
        `<Parameters>${parameters.join('')}</Parameters><Outputs>${members.join('')}</Outputs></member></Stacks>`,
    );
  }

  /**
   * Deploys a synthesized template into `deployments`, as `cdk deploy` would create or update it: a
   * stack whose create rolled back is deleted first, as the CDK CLI does before creating it again.
   */
  deployStack(name: string, account: string, template: Template, parameters: Record<string, string> = {}): void {
    if (this.deployments.stacks.get(name)?.status === 'ROLLBACK_COMPLETE') this.deployments.deleteStack(name);
    this.deployments.deploy(name, account, 'eu-west-1', template, parameters);
  }

  /** The sign-in origins, global and us-east-1's, as CONSOLE_BROKER_LOCAL_SIGNIN_ORIGIN takes them. */
  signinOrigins(): string {
    return `${new URL(this.federationUrl).origin} ${new URL(this.regionalFederationUrl).origin}`;
  }

  /** `cdk bootstrap` of an account: the CloudFormation execution role that deploys its stacks. */
  bootstrap(account: string): void {
    this.iamRoles.add(`arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`);
  }

  private federation(req: IncomingMessage, res: ServerResponse, host: 'global' | 'regional'): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = Object.fromEntries(url.searchParams);
    if (url.pathname === '/oauth' && params.Action === 'logout') {
      this.logout(req, res, params.redirect_uri ?? '', host);
      return;
    }
    this.calls.push({ service: 'federation', action: params.Action ?? '', params });
    if (params.Action === 'login') {
      this.login(res, params);
      return;
    }
    if (params.Action !== 'getSigninToken') {
      res.writeHead(400, { 'content-type': 'text/html' }).end('<html><body>Bad request</body></html>');
      return;
    }
    switch (this.federationMode) {
      case 'hang':
        return; // never answers
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>You may have typed the address incorrectly or you may have used an outdated link.</body></html>');
        return;
      case 'error-500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Failure');
        return;
      case 'no-token':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      case 'ok':
        break;
    }
    let session: IssuedSession | undefined;
    try {
      const given = JSON.parse(params.Session ?? '') as { sessionId?: string; sessionKey?: string; sessionToken?: string };
      const known = this.sessions.get(given.sessionId ?? '');
      if (known && known.secretAccessKey === given.sessionKey && known.sessionToken === given.sessionToken) session = known;
    } catch {
      session = undefined;
    }
    // Role-chained credentials with SessionDuration are refused.
    if (!session || params.SessionDuration !== undefined) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid credentials parameter');
      return;
    }
    const token = randomBytes(96).toString('base64url');
    this.signinTokens.set(token, { ...session, issuedAt: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ SigninToken: token }));
  }

  /**
   * Action=login: a valid sign-in token of under 15 minutes signs the browser in, and the sign-in origin
   * sends it on to the console host, another origin (IAM User Guide, "Enable custom identity broker
   * access to the AWS console").
   */
  private login(res: ServerResponse, params: Record<string, string>): void {
    const issued = this.signinTokens.get(params.SigninToken ?? '');
    if (!issued || Date.now() - issued.issuedAt > 15 * 60 * 1000) {
      res.writeHead(400, { 'content-type': 'text/html' }).end('<html><body><h1>Your sign-in link has expired or is not valid.</h1></body></html>');
      return;
    }
    const code = randomBytes(24).toString('base64url');
    this.arrivingSessions.set(code, { session: issued, destination: params.Destination ?? '' });
    res.writeHead(302, { location: `${this.consoleUrl}/console?code=${code}` }).end();
  }

  /**
   * The console's sign-out. The global sign-in host ends the browser's console session and ignores
   * redirect_uri, leaving the person on the console's signed-out page; us-east-1's regional host follows
   * redirect_uri, to itself only (observed by the tools that sign out first: Versent/saml2aws#707,
   * ByteNess/aws-vault PR #1, "Logout only works on us-east-1 endpoint"). In a browser with
   * multi-session on, that sign-out answers 400 Bad Request (ByteNess/aws-vault#23).
   */
  private logout(req: IncomingMessage, res: ServerResponse, redirectUri: string, host: 'global' | 'regional'): void {
    if (host === 'regional' && cookie(req, MULTI_SESSION_COOKIE) !== undefined) {
      res.writeHead(400, { 'content-type': 'text/html' }).end('<html><body><h1>Error: 400. Bad Request</h1></body></html>');
      return;
    }
    // Cookies do not tell ports apart, so the console's session cookie on 127.0.0.1 arrives here too.
    for (const key of consoleSessionKeys(req)) this.consoleSessions.delete(key);
    const own = new URL(host === 'global' ? this.federationUrl : this.regionalFederationUrl).origin;
    const target = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
    const location = host === 'regional' && target?.origin === own ? target.toString() : `${this.consoleUrl}/console`;
    res.writeHead(302, { location, 'set-cookie': `${CONSOLE_COOKIE}=; Max-Age=0; Path=/` }).end();
  }

  /**
   * The console host sends the browser on to a regional console host, `<region>.console.aws.amazon.com`
   * (AWS General Reference, "AWS Management Console endpoints and quotas").
   */
  private console(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(302, { location: `${this.regionalConsoleUrl}${req.url ?? '/'}` }).end();
  }

  /**
   * The regional console: opens the session a sign-in brought and shows it. An earlier session of the
   * same identity is replaced (the AWS CLI's `aws console`: "Signing in again with the same identity
   * replaces that session"). Otherwise, without multi-session, a browser that holds another identity's
   * session is told to sign out first (99designs/aws-vault#721, Versent/saml2aws#707); with
   * multi-session on, the session is added to the browser's, up to five (multi-session guide).
   */
  private regionalConsole(req: IncomingMessage, res: ServerResponse): void {
    const code = new URL(req.url ?? '/', this.regionalConsoleUrl).searchParams.get('code');
    const arriving = code === null ? undefined : this.arrivingSessions.get(code);
    if (code !== null) this.arrivingSessions.delete(code);
    if (arriving) {
      const sameIdentity = (key: string): boolean => this.consoleSessions.get(key)?.session.roleArn === arriving.session.roleArn && this.consoleSessions.get(key)?.session.sessionName === arriving.session.sessionName;
      const kept = consoleSessionKeys(req).filter((key) => this.consoleSessions.has(key) && !sameIdentity(key));
      if (kept.length > 0 && cookie(req, MULTI_SESSION_COOKIE) === undefined) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Fake console</title><h1>You must first log out before logging into a different AWS account</h1>');
        return;
      }
      if (kept.length >= MAX_CONSOLE_SESSIONS) {
        res.writeHead(400, { 'content-type': 'text/html' }).end('<!doctype html><title>Fake console</title><h1>You are signed in to the maximum number of sessions</h1>');
        return;
      }
      const key = randomBytes(24).toString('base64url');
      this.consoleSessions.set(key, arriving);
      res.writeHead(302, { location: '/console', 'set-cookie': `${CONSOLE_COOKIE}=${[...kept, key].join('.')}; HttpOnly; Path=/; SameSite=Lax` }).end();
      return;
    }
    this.consolePage(req, res);
  }

  /** A stand-in for the console: which account, role, session, region and service the browser is signed in to. */
  private consolePage(req: IncomingMessage, res: ServerResponse): void {
    const keys = consoleSessionKeys(req).filter((key) => this.consoleSessions.has(key));
    const newest = keys.at(-1);
    const signedIn = newest === undefined ? undefined : this.consoleSessions.get(newest);
    if (!signedIn) {
      res.writeHead(401, { 'content-type': 'text/html' }).end('<!doctype html><title>Fake console</title><h1>Not signed in</h1>');
      return;
    }
    const destination = new URL(signedIn.destination);
    const region = destination.searchParams.get('region') ?? /^([a-z0-9-]+)\.console\./.exec(destination.hostname)?.[1] ?? 'global';
    const service = destination.pathname.split('/')[1] ?? '';
    const [, , , , account = '', resource = ''] = signedIn.session.roleArn.split(':');
    const rows: [string, string][] = [
      ['Account', account],
      ['Role', resource.replace(/^role\//, '')],
      ['Session', signedIn.session.sessionName],
      ['Source identity', signedIn.session.sourceIdentity ?? ''],
      ['Region', region],
      ['Service', service],
      ['Destination', signedIn.destination],
      ['Sessions', String(keys.length)],
    ];
    const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake AWS console · ${escape(service)}</title></head><body>` +
        `<h1>Fake AWS console</h1><p>This page stands in for the AWS console in the console-broker sandbox.</p><dl>` +
        rows.map(([k, v]) => `<dt>${k}</dt><dd data-field="${k.toLowerCase().replace(' ', '-')}">${escape(v)}</dd>`).join('') +
        '</dl></body></html>',
    );
  }
}
