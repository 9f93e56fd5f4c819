import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../lib/app';
import { loadConfig, parseConfig, type BrokerConfig } from '../lib/config';
import { FunctionUrlChecks } from '../lib/nag';
import { FakeAws } from './fakes/aws';
import { FakeSlack, SLACK_BOT_TOKEN } from './fakes/slack';
import { deployedEnvironment } from './support/broker-assembly';
import { bundledHandlerPath, startBundle, type RunningBundle } from './support/bundle';
import { testConfig } from './support/config';
import { findLeaks } from './support/leaks';
import { BOT_TOKEN_SECRET_ID, seedSlackWorld, signedSlackEvent, SIGNING_SECRET_ID, SLACK_SECTION, SLACK_SIGNING_SECRET, SLACK_TARGETS, slashCommandForm } from './support/slack';
import { buttonUrl, slackMessage } from './support/slack-entry';

const ROOT = path.join(__dirname, '..');

/** Synthesizes `config` as `cdk synth` does (assets bundled, cdk-nag and the function URL rule on), into a fresh directory. */
function synth(config: BrokerConfig): { outdir: string; broker: Template } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'slack-cdk-out-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stacks = addConsoleBroker(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new FunctionUrlChecks(app));
  // Any finding cdk-nag does not find acknowledged fails the synth.
  app.synth();
  return { outdir, broker: Template.fromStack(stacks.broker) };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe('config/examples/all-entries.json: IAM, browser and Slack entries', () => {
  let broker: Template;
  let outdir: string;

  beforeAll(() => {
    ({ broker, outdir } = synth(loadConfig(path.join(ROOT, 'config', 'examples', 'all-entries.json'))));
  });

  it('synthesizes cdk-nag clean, with a public Slack URL whose reason is written down', () => {
    broker.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SlackFunction'), 'Arn'] } });
    broker.hasOutput('SlackUrl', {});
  });

  it('beside a browser entry, runs the Slack entry as a role that may assume no target role and read no external ID', () => {
    const roles = broker.findResources('AWS::IAM::Role', { Properties: { RoleName: 'console-broker-slack-eu-west-1' } });
    const [roleId] = Object.keys(roles);
    expect(roleId).toBeDefined();
    const policies = Object.values(broker.findResources('AWS::IAM::Policy') as Resources).concat(Object.values(broker.findResources('AWS::IAM::ManagedPolicy') as Resources));
    const ofRole = policies.filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId ?? ''}"`));
    const actions = JSON.stringify(ofRole.map((p) => p.Properties.PolicyDocument));
    expect(actions).not.toMatch(/sts:/);
    expect(actions).not.toMatch(/external-id/);
    expect(ofRole).toHaveLength(1);
    expect(deployedEnvironment(outdir, 'SlackFunction').WEB_ENTRY_URL).toBeUndefined();
    broker.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WEB_ENTRY_URL: Match.anyValue() }) }, Role: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('lets only the Slack entry\'s role read the signing secret and the bot token, and holds no value of them', () => {
    for (const name of [SIGNING_SECRET_ID, BOT_TOKEN_SECRET_ID]) {
      broker.hasResourceProperties('AWS::SecretsManager::Secret', { Name: name, SecretString: Match.absent() });
    }
    broker.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: { Statement: [Match.objectLike({ Sid: 'OnlyTheSlackEntryReads', Effect: 'Deny', Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^SlackRole'), 'Arn'] } } } })] },
    });
  });

  it('watches the Slack entry: its errors and throttles raise alarms', () => {
    broker.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'console-broker-slack-Errors-eu-west-1' });
    broker.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'console-broker-slack-Throttles-eu-west-1' });
  });
});

describe('each entry\'s bundle holds only its own door and the core', () => {
  const inputs = async (entry: string): Promise<string[]> => {
    const result = await build({ entryPoints: [path.join(ROOT, 'lambda', entry, 'handler.ts')], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    return Object.keys(result.metafile.inputs);
  };

  it.each([
    ['slack', ['lambda/web/', 'lambda/iam/', 'lambda/doctor/', 'node_modules/openid-client/', 'node_modules/jose/']],
    ['iam', ['lambda/slack/', 'lambda/web/']],
    ['web', ['lambda/slack/', 'lambda/iam/']],
  ])('lambda/%s', async (entry, forbidden) => {
    const files = await inputs(entry);

    expect(files.some((file) => file.startsWith(`lambda/${entry}/`))).toBe(true);
    expect(files.filter((file) => forbidden.some((part) => file.includes(part)))).toEqual([]);
  });
});

describe('the bundled Slack entry from a synthesized cdk.out, in a fresh Node.js process, opening consoles itself (no browser entry)', () => {
  const aws = new FakeAws();
  const slack = new FakeSlack();
  let bundle: RunningBundle;

  beforeAll(async () => {
    const { outdir, broker } = synth(testConfig({ slack: SLACK_SECTION, targets: SLACK_TARGETS }));
    // Without a browser entry the Slack entry mints login URLs, so it is the login role, which trust policies name.
    broker.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoginRole'), 'Arn'] }, Environment: { Variables: Match.objectLike({ SLACK_TEAM_IDS: 'T0001ACME' }) } });
    await aws.start();
    await slack.start();
    seedSlackWorld(aws, slack);
    // A bundle that fails at init rejects here, and fails the test.
    bundle = await startBundle(bundledHandlerPath({ cdkOut: outdir, functionId: 'SlackFunction' }), { ...aws.env(), ...deployedEnvironment(outdir, 'SlackFunction'), SLACK_API_URL: slack.url });
  });

  afterAll(async () => {
    await bundle.stop();
    await slack.stop();
    await aws.stop();
  });

  it('answers a signed slash command with a login URL button, through Secrets Manager, Slack\'s API, STS and the federation endpoint', async () => {
    // Act
    const response = await bundle.invoke(await signedSlackEvent(slashCommandForm({ text: 'prod-readonly ec2 eu-central-1 -- INC-42' })));

    // Assess
    expect(response.statusCode).toBe(200);
    const url = new URL(buttonUrl(response) ?? '');
    expect(url.origin + url.pathname).toBe(aws.federationUrl);
    expect(aws.signinTokens.get(url.searchParams.get('SigninToken') ?? '')).toMatchObject({ sessionName: 'alice@example.com' });
    expect(slack.callsTo('users.info')).toEqual([{ method: 'users.info', args: { user: 'U0001ALICE' } }]);
  });

  it('refuses a forged request with 401 and a person not allowed with a sentence', async () => {
    const forged = await bundle.invoke(await signedSlackEvent(slashCommandForm({ text: 'prod-readonly' }), { secret: 'guessed' }));
    expect(forged.statusCode).toBe(401);

    const refused = await bundle.invoke(await signedSlackEvent(slashCommandForm({ text: 'prod-readonly', user_id: 'U0002BOB' })));
    expect(refused.statusCode).toBe(200);
    expect(slackMessage(refused).text).toMatch(/You may open no target named "prod-readonly"/);
  });

  it('logs one line per request with no secret in it', () => {
    const lines = bundle.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((l) => l.message === 'request')).toHaveLength(3);
    expect(findLeaks(bundle.output(), aws)).toEqual([]);
    expect(bundle.output()).not.toContain(SLACK_BOT_TOKEN);
    expect(bundle.output()).not.toContain(SLACK_SIGNING_SECRET);
  });
});

describe('the slack section of the configuration', () => {
  const withSlack = (slack: unknown): unknown => ({ accountId: '111111111111', region: 'eu-west-1', slack, targets: SLACK_TARGETS });

  it.each([
    [{}, /slack must name the workspaces it serves in teamIds \(T…\) or enterpriseIds/],
    [{ teamIds: ['acme'] }, /slack.teamIds\[0\] must be a Slack ID such as T0123ABCD, got "acme"/],
    [{ teamIds: ['T0001ACME'] }, /slack needs emailDomains or userGroups/],
    [{ teamIds: ['T0001ACME'], emailDomains: ['Example.COM'] }, /slack.emailDomains\[0\] must be a lower-case domain/],
    [{ teamIds: ['T0001ACME'], emailDomains: ['example.com'], signingSecret: 'x' }, /slack has unknown keys signingSecret/],
  ])('refuses %j with the field and what it accepts', (slack, message) => {
    expect(() => parseConfig(withSlack(slack))).toThrow(message);
  });
});
