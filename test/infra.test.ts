import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern } from '../lambda/core/registry';
import { addConsoleBroker, type ConsoleBrokerStacks } from '../lib/app';
import { FunctionUrlChecks } from '../lib/nag';
import { StandaloneTargetStack } from '../lib/target-stack';
import { bundledHandlerPath } from './support/bundle';
import { CDK_OUT } from './support/paths';
import { testConfig } from './support/config';

const BROKER_ROLE_ARN = 'arn:aws:iam::111111111111:role/console-broker-login-eu-west-1';

type Json = Record<string, unknown>;

/** A caller's identity statements: the URL, and the function only through the URL (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). */
const CALLER_STATEMENTS = (functionArn: unknown): Json[] => [
  { Sid: 'InvokeBrokerUrl', Effect: 'Allow', Action: 'lambda:InvokeFunctionUrl', Resource: functionArn, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
  { Sid: 'InvokeBrokerThroughUrl', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArn, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } },
];

describe('stacks', () => {
  let stacks: ConsoleBrokerStacks;
  let broker: Template;
  let target: Template;

  beforeAll(() => {
    const app = new App();
    stacks = addConsoleBroker(app, testConfig());
    broker = Template.fromStack(stacks.broker);
    const targetStack = stacks.targets.get('222222222222');
    if (!targetStack) throw new Error('no stack for account 222222222222');
    target = Template.fromStack(targetStack);
  });

  describe('target account stack', () => {
    it('exists only for accounts the broker deploys to', () => {
      expect([...stacks.targets.keys()]).toEqual(['222222222222']);
      expect(stacks.targets.get('222222222222')?.region).toBe('eu-west-1');
    });

    it('trusts the broker account narrowed to the login role: AssumeRole with the external ID, SetSourceIdentity without', () => {
      const roles = target.findResources('AWS::IAM::Role', { Properties: { RoleName: 'ConsoleBrokerReadOnly' } });
      const role = Object.values(roles)[0] as { Properties: { AssumeRolePolicyDocument: { Statement: Json[] } } };
      const statements = role.Properties.AssumeRolePolicyDocument.Statement;
      const principal = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } };
      const secretArn: unknown = expect.objectContaining({ 'Fn::GetStackOutput': expect.any(Object) as unknown });
      const reference = (version: string): Json => ({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', secretArn, ':SecretString:::', { Ref: version }, '}}']] });

      expect(statements).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: principal,
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': BROKER_ROLE_ARN },
            StringEquals: {
              'sts:ExternalId': [
                reference('ExternalIdVersionprodXreadonly'),
                { 'Fn::If': ['NextExternalIdVersionprodXreadonlyGiven', reference('NextExternalIdVersionprodXreadonly'), { Ref: 'AWS::NoValue' }] },
              ],
            },
          },
        },
        { Action: 'sts:SetSourceIdentity', Effect: 'Allow', Principal: principal, Condition: { ArnEquals: { 'aws:PrincipalArn': BROKER_ROLE_ARN } } },
      ]);
      target.hasParameter('ExternalIdVersionprodXreadonly', { Type: 'String', Default: '' });
      target.hasParameter('NextExternalIdVersionprodXreadonly', { Type: 'String', Default: '' });
    });

    it("points each target's trust condition at exactly that target's secret, in its account's own stack of secrets", () => {
      const brokerJson = Template.fromStack(stacks.externalIds.get('ConsoleBrokerExternalIds-222222222222') ?? stacks.broker).toJSON() as { Outputs: Record<string, { Value: { Ref?: string } }>; Resources: Record<string, { Properties?: { Name?: string } }> };
      const roles = target.findResources('AWS::IAM::Role') as Record<string, { Properties: { RoleName: string } }>;
      const expected: Record<string, string> = { ConsoleBrokerReadOnly: 'prod-readonly', ConsoleBrokerBilling: 'prod-billing', ConsoleBrokerLocked: 'locked' };

      expect(Object.values(roles).map((r) => r.Properties.RoleName).sort()).toEqual(Object.keys(expected).sort());
      for (const role of Object.values(roles)) {
        const outputs = [...JSON.stringify(role).matchAll(/"OutputName":"([^"]+)"/g)].map((m) => m[1] ?? '');
        expect(outputs).toHaveLength(2);
        for (const outputName of outputs) {
          const secretLogicalId = brokerJson.Outputs[outputName]?.Value.Ref ?? '';
          expect(brokerJson.Resources[secretLogicalId]?.Properties?.Name).toBe(`console-broker/external-id/${expected[role.Properties.RoleName] ?? ''}`);
        }
      }
    });

    it('gives the role the configured AWS managed policies and a fixed name', () => {
      target.hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'ConsoleBrokerBilling',
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/job-function/Billing']] }],
      });
    });
  });

  describe('broker stack', () => {
    it('keeps one external ID secret per target beside the broker stack, generated by Secrets Manager with characters STS accepts', () => {
      const secrets = [...stacks.externalIds.values()].map((stack) => Template.fromStack(stack));
      expect(secrets.reduce((sum, t) => sum + Object.keys(t.findResources('AWS::SecretsManager::Secret')).length, 0)).toBe(4);
      broker.resourceCountIs('AWS::SecretsManager::Secret', 0);
      Template.fromStack(stacks.externalIds.get('ConsoleBrokerExternalIds-222222222222') ?? stacks.broker).hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'console-broker/external-id/prod-readonly',
        KmsKeyId: { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'ConsoleBroker' }) },
        GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
      });
    });

    it("lets only the target account's CloudFormation execution role read that account's secrets", () => {
      const deployer = {
        AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
      };
      const executionRole = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1' };
      const accountSecrets = Template.fromStack(stacks.externalIds.get('ConsoleBrokerExternalIds-222222222222') ?? stacks.broker);
      accountSecrets.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
        SecretId: { Ref: Match.stringLikeRegexp('^ExternalIdprodreadonly') },
        ResourcePolicy: {
          Statement: [
            {
              Action: 'secretsmanager:GetSecretValue',
              Effect: 'Allow',
              Principal: deployer,
              Resource: '*',
              Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1' } } },
            },
          ],
        },
      });
      accountSecrets.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 3);
      // The owner-deployed target's secret is read by no other account.
      for (const [name, stack] of stacks.externalIds) {
        if (name !== 'ConsoleBrokerExternalIds-222222222222') Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
      }
      broker.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'TargetAccountDeployers',
              Action: 'kms:Decrypt',
              Principal: deployer,
              Condition: { ArnEquals: { 'aws:PrincipalArn': [executionRole] }, StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
            }),
          ]),
        },
      });
    });

    it('gives the login role exactly what it needs, on exact resources', () => {
      const policy = Object.values(broker.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^LoginPolicy') } }))[0] as {
        Properties: { PolicyDocument: { Statement: Json[] } };
      };
      const statements = policy.Properties.PolicyDocument.Statement;
      const loginRole = Object.keys(broker.findResources('AWS::IAM::Role', { Properties: { RoleName: 'console-broker-login-eu-west-1' } }))[0];

      expect(statements).toEqual([
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^LoginFunctionLogs/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^DoctorFunctionLogs/), 'Arn'] }],
        },
        { Sid: 'ReadExternalIds', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:console-broker/external-id/*' },
        { Sid: 'DecryptExternalIds', Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ExternalIdKey/), 'Arn'] } },
      ]);
      // Each target's role in customer managed policies, so that the inline policy's size does not grow with them.
      const targetPolicies = Object.values(broker.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: loginRole }] } })) as {
        Properties: { PolicyDocument: { Statement: Json[] } };
      }[];
      expect(targetPolicies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
        [
          {
            Sid: 'AssumeTargetRoles',
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
            Resource: [
              'arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly',
              'arn:aws:iam::222222222222:role/ConsoleBrokerBilling',
              'arn:aws:iam::222222222222:role/ConsoleBrokerLocked',
              'arn:aws:iam::333333333333:role/ConsoleBrokerReadOnly',
            ],
          },
        ],
      ]);
      broker.hasResourceProperties('AWS::IAM::Role', { RoleName: 'console-broker-login-eu-west-1', ManagedPolicyArns: Match.absent() });
    });

    it("reads the external IDs by the name prefix of the secrets' stacks, which names every one of them and no other secret", () => {
      const all = addConsoleBroker(new App(), testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'cb' } }));
      const withBrowserEntry = Template.fromStack(all.broker);
      const names = [all.broker, ...all.externalIds.values()].flatMap((stack) =>
        Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret')).map((r) => String((r as { Properties: Json }).Properties.Name)),
      );
      const policy = Object.values(withBrowserEntry.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^LoginPolicy') } }))[0] as { Properties: { PolicyDocument: { Statement: Json[] } } };
      const pattern = String(policy.Properties.PolicyDocument.Statement.find((statement) => statement.Sid === 'ReadExternalIds')?.Resource);
      // A secret's ARN as Secrets Manager makes it, with six random characters after its name; IAM's * and ? as the registry's patterns read them.
      const readable = (name: string): boolean => matchesPattern(pattern, `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`);

      expect(names.filter(readable).sort()).toEqual(['customer-acme', 'locked', 'prod-billing', 'prod-readonly'].map((t) => `console-broker/external-id/${t}`));
      expect(names.filter((name) => !readable(name)).sort()).toEqual(['console-broker/oidc-client-secret', 'console-broker/session-key']);
    });

    it('runs the Lambda on the newest Node.js, arm64, with a timeout and its own log group', () => {
      broker.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 15,
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^LoginFunctionLogs') } },
        Environment: Match.absent(),
      });
      broker.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    it('reserves concurrency when configured', () => {
      const app = new App();
      const reserved = Template.fromStack(addConsoleBroker(app, testConfig({ reservedConcurrency: 7 })).broker);
      reserved.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 7 });
      broker.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
    });

    it('serves an AWS_IAM function URL that the caller accounts may invoke, with both permissions', () => {
      broker.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
      for (const account of ['111111111111', '444444444444']) {
        const principal = account;
        broker.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'AWS_IAM', Principal: principal });
        broker.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true, Principal: principal });
      }
      // The fifth lets the doctor's schedule invoke the doctor's function, and only from its rule.
      broker.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DoctorFunction'), 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DoctorSchedule'), 'Arn'] },
      });
      broker.resourceCountIs('AWS::Lambda::Permission', 5);
    });

    it("lets only the operators' accounts invoke the doctor's own AWS_IAM URL, and gives them a policy for it", () => {
      const operator = 'arn:aws:sts::555555555555:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/*';
      const withOperators = Template.fromStack(addConsoleBroker(new App(), testConfig({ operators: [operator] })).broker);
      const doctorArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^DoctorFunction[0-9A-F]{8}$'), 'Arn'] };

      withOperators.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: doctorArn });
      const doctorPermissions = Object.values(withOperators.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p).includes('"DoctorFunction'));
      expect(doctorPermissions.map((p) => (p as { Properties: Json }).Properties.Principal).sort()).toEqual(['555555555555', '555555555555', 'events.amazonaws.com']);
      withOperators.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        ManagedPolicyName: 'console-broker-operator-eu-west-1',
        PolicyDocument: { Statement: CALLER_STATEMENTS(doctorArn) },
      });
      withOperators.hasOutput('DoctorUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DoctorFunctionFunctionUrl'), 'FunctionUrl'] } });
      withOperators.hasOutput('OperatorPolicyDocument', Match.anyValue());
    });

    it("gives callers in the broker account a managed policy with exactly the identity rights the URL's resource policy delegates to them", () => {
      const functionArn = { 'Fn::GetAtt': [expect.stringMatching(/^LoginFunction[0-9A-F]{8}$/), 'Arn'] };
      const policies = Object.values(broker.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'console-broker-caller-eu-west-1' } }));

      expect(policies).toHaveLength(1);
      expect(policies[0]).toEqual({
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          ManagedPolicyName: 'console-broker-caller-eu-west-1',
          Description: 'Lets a principal call the console-broker IAM entry (its AWS_IAM function URL), and nothing else',
          Path: '/',
          PolicyDocument: { Version: '2012-10-17', Statement: CALLER_STATEMENTS(functionArn) },
        },
      });
    });

    it('outputs the same caller statements as a policy document for permission sets and callers in other accounts', () => {
      const output = (broker.toJSON() as { Outputs: Record<string, { Value: { 'Fn::Join': [string, (string | Json)[]] } }> }).Outputs.CallerPolicyDocument;
      const [separator, parts] = output?.Value['Fn::Join'] ?? ['', []];
      // What CloudFormation renders once the function exists.
      const arn = 'arn:aws:lambda:eu-west-1:111111111111:function:ConsoleBroker-LoginFunction';
      const rendered = parts.map((part) => (typeof part === 'string' ? part : arn)).join(separator);

      expect(JSON.parse(rendered)).toEqual({ Version: '2012-10-17', Statement: CALLER_STATEMENTS(arn) });
    });

    it('outputs the URL and the login role ARN, and nothing secret', () => {
      broker.hasOutput('LoginUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoginFunctionFunctionUrl'), 'FunctionUrl'] } });
      broker.hasOutput('LoginRoleArn', Match.anyValue());
      expect(JSON.stringify(broker.toJSON().Outputs)).not.toMatch(/resolve:secretsmanager|SecretString/);
    });
  });

  it('the standalone target template takes the broker role and NoEcho external IDs as parameters', () => {
    const standalone = Template.fromStack(new StandaloneTargetStack(new App(), 'Standalone'));

    standalone.hasParameter('ExternalId', { Type: 'String', NoEcho: true, MinLength: 32 });
    standalone.hasParameter('NextExternalId', { Type: 'String', NoEcho: true, Default: '' });
    standalone.hasParameter('BrokerRoleArn', { Type: 'String' });
    standalone.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': { Ref: 'BrokerRoleArn' } },
              StringEquals: { 'sts:ExternalId': [{ Ref: 'ExternalId' }, { 'Fn::If': ['NextExternalIdGiven', { Ref: 'NextExternalId' }, { Ref: 'AWS::NoValue' }] }] },
            },
          }),
          Match.objectLike({ Action: 'sts:SetSourceIdentity', Condition: { ArnEquals: { 'aws:PrincipalArn': { Ref: 'BrokerRoleArn' } } } }),
        ],
      },
      ManagedPolicyArns: { Ref: 'ManagedPolicyArns' },
    });
  });
});

describe('browser entry', () => {
  const withProvider = (): ReturnType<typeof testConfig> =>
    testConfig({
      openIdProvider: { issuer: 'https://company.okta.example.com', clientId: 'console-broker', scopes: ['openid', 'email', 'groups'] },
      targets: [{ name: 'prod-readonly', accountId: '222222222222', roleName: 'ConsoleBrokerReadOnly', allowedGroups: ['admins'] }],
    });

  it('does not exist without an OpenID provider: no public URL', () => {
    const broker = Template.fromStack(addConsoleBroker(new App(), testConfig()).broker);

    expect(broker.findResources('AWS::Lambda::Url', { Properties: { AuthType: 'NONE' } })).toEqual({});
    expect(Object.keys((broker.toJSON() as { Outputs: Record<string, unknown> }).Outputs)).not.toContain('WebUrl');
  });

  it('adds a public function URL to a web function that shares the role, with its secrets named, not inlined', () => {
    const broker = Template.fromStack(addConsoleBroker(new App(), withProvider()).broker);

    broker.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebFunction'), 'Arn'] } });
    broker.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoginRole'), 'Arn'] },
      Environment: {
        Variables: {
          OIDC_ISSUER: 'https://company.okta.example.com',
          OIDC_CLIENT_ID: 'console-broker',
          OIDC_SCOPES: 'openid email groups',
          OIDC_GROUPS_CLAIM: 'groups',
          OIDC_CLIENT_SECRET_ID: 'console-broker/oidc-client-secret',
          SESSION_KEY_SECRET_ID: 'console-broker/session-key',
          SESSION_MINUTES: '60',
        },
      },
    });
    broker.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'console-broker/session-key', GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } });
    broker.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'console-broker/oidc-client-secret', SecretString: Match.absent() });
    broker.hasOutput('WebCallbackUrl', Match.anyValue());
  });

  it("sends people whose console session ended from the IAM entry to the browser entry, not to the IAM entry's Forbidden", () => {
    const broker = Template.fromStack(addConsoleBroker(new App(), withProvider()).broker);

    broker.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^LoginFunctionLogs') } },
      Environment: { Variables: { CONSOLE_ISSUER_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebFunctionFunctionUrl'), 'FunctionUrl'] } } },
    });
  });
});

describe('cdk-nag', () => {
  function synthWithNag(build: (app: App) => void): void {
    const app = new App();
    build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
    app.synth();
  }

  it('acknowledges the public function URL of the browser entry, with its reason', () => {
    expect(() => {
      synthWithNag((app) =>
        addConsoleBroker(app, testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'cb' } })),
      );
    }).not.toThrow();
  });

  it('flags any other public function URL', () => {
    expect(() => {
      synthWithNag((app) => {
        const stack = new Stack(app, 'Public');
        const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
        fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
        Validations.of(stack).acknowledge({ id: 'AwsSolutions-IAM4', reason: 'test stack' });
      });
    }).toThrow(/ConsoleBroker-FunctionUrlAuth/);
  });

  it('finds nothing unacknowledged in the broker, target and standalone stacks', () => {
    expect(() => {
      synthWithNag((app) => addConsoleBroker(app, testConfig()));
    }).not.toThrow();
    expect(() => {
      synthWithNag((app) => new StandaloneTargetStack(app, 'Standalone'));
    }).not.toThrow();
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    expect(() => {
      synthWithNag((app) => new sqs.Queue(new Stack(app, 'Unsafe'), 'Queue'));
    }).toThrow(/AwsSolutions-SQS3|AwsSolutions-SQS4|Validation failed/);
  });
});

describe('cdk.out', () => {
  const cdkOut = CDK_OUT;

  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
  }

  it('holds no external ID: every trust condition reads it at deploy time, and the bundle carries only secret names', () => {
    const all = files(cdkOut);
    const templates = all.filter((f) => f.endsWith('.template.json'));
    let conditions = 0;
    for (const file of templates) {
      const text = readFileSync(file, 'utf8');
      // A literal would be a quoted string; a reference or parameter is an object, or a list of them.
      for (const match of text.matchAll(/"sts:ExternalId":\s*(\[\s*)?(\{\s*"[^"]+"|"[^"]*")/g)) {
        conditions++;
        expect(match[2]).toMatch(/^\{\s*"(Fn::Join|Ref)"/);
      }
    }
    expect(conditions).toBeGreaterThan(0);

    const registryText = readFileSync(bundledHandlerPath(), 'utf8');
    expect(registryText).toContain('console-broker/external-id/prod-readonly');
    expect(registryText).not.toMatch(/externalId"\s*:/);
  });
});
