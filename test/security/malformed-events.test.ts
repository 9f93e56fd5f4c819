import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConsoleBroker } from '../../lib/app';
import { FakeAws } from '../fakes/aws';
import { bundledHandlerPath, startBundle, type RunningBundle } from '../support/bundle';
import { testConfig } from '../support/config';
import { functionUrlEvent } from '../support/events';

// Threat: whoever may invoke a broker function directly sends an event in a shape no function URL
// sends, and the error middleware itself throws: the invoke fails with a stack instead of an answer.

type Json = Record<string, unknown>;

function without(event: Json, key: string): Json {
  return Object.fromEntries(Object.entries(event).filter(([k]) => k !== key));
}

const valid = functionUrlEvent({ accept: 'application/json' }) as unknown as Json;
const context = valid.requestContext as Json;
const MALFORMED: Readonly<Record<string, unknown>> = {
  'no event at all': null,
  'a string': 'GET /prod-readonly',
  'no headers': without(valid, 'headers'),
  'no requestContext': without(valid, 'requestContext'),
  'no http': { ...valid, requestContext: without(context, 'http') },
  'a number as the caller': { ...valid, requestContext: { ...context, authorizer: { iam: { userArn: 42 } } } },
  'an object as the caller': { ...valid, requestContext: { ...context, authorizer: { iam: { userArn: { toString: 'x' } } } } },
  'a list as the path': { ...valid, rawPath: ['/prod-readonly'] },
  'a number as the query': { ...valid, rawQueryString: 7 },
  'a header that is not a string': { ...valid, headers: { accept: ['text/html'] } },
  'cookies that are not strings': { ...valid, cookies: [1, 2] },
};

async function expectCleanRefusals(bundle: RunningBundle): Promise<void> {
  for (const [name, event] of Object.entries(MALFORMED)) {
    const response = await bundle.invoke(event as never).catch((error: unknown) => ({ thrown: String(error) }));
    expect(response, name).toMatchObject({ statusCode: 400, headers: { 'content-type': 'application/json' } });
    const body = JSON.parse((response as { body?: string }).body ?? '{}') as { error?: Json };
    expect(body.error, name).toMatchObject({ status: 400, code: 'BadRequest' });
  }
}

describe('events no function URL sends', () => {
  const fake = new FakeAws();
  const bundles: RunningBundle[] = [];

  beforeAll(async () => {
    await fake.start();
  });

  afterAll(async () => {
    await Promise.all(bundles.map((b) => b.stop()));
    await fake.stop();
  });

  it('get a 400 with a JSON error from the bundled IAM entry, never a throw, and reach no AWS endpoint', async () => {
    const bundle = await startBundle(bundledHandlerPath(), fake.env());
    bundles.push(bundle);

    await expectCleanRefusals(bundle);
    expect(fake.calls).toEqual([]);
    const lines = bundle.output().split('\n').filter((line) => line.startsWith('{'));
    expect(lines.map((line) => (JSON.parse(line) as Json).status)).toEqual(Object.keys(MALFORMED).map(() => 400));
  });

  it('get a 400 with a JSON error from the bundled browser entry, never a throw', async () => {
    // Prepare: the browser entry exists only with an OpenID provider in the configuration
    const outdir = mkdtempSync(path.join(tmpdir(), 'malformed-cdk-out-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    addConsoleBroker(app, testConfig({ openIdProvider: { issuer: 'https://idp.example.com', clientId: 'console-broker' } }));
    app.synth();
    const template = JSON.parse(readFileSync(path.join(outdir, 'ConsoleBroker.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, string> } } }>;
    };
    const deployedEnv =
      Object.entries(template.Resources).find(([id, r]) => id.startsWith('WebFunction') && r.Type === 'AWS::Lambda::Function')?.[1].Properties.Environment?.Variables ?? {};
    const bundle = await startBundle(bundledHandlerPath({ cdkOut: outdir, functionId: 'WebFunction' }), { ...fake.env(), ...deployedEnv });
    bundles.push(bundle);

    // Act & Assess
    await expectCleanRefusals(bundle);
    expect(fake.calls).toEqual([]);
  }, 120_000);
});
