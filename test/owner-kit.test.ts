import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config';
import { ownerKit } from '../lib/owner-kit';

const ROOT = path.join(__dirname, '..');
const CONFIG_PATH = 'config/console-broker.json';
const config = loadConfig(path.join(ROOT, CONFIG_PATH));
const owned = config.targets.find((t) => t.deployedBy === 'owner');

describe('the owner kit', () => {
  it('takes only an https URL of an object in S3 as the template, as quick-create does', () => {
    if (!owned) throw new Error('no owner-deployed target in the shipped configuration');
    for (const url of ['https://bucket.s3.eu-west-1.amazonaws.com/t.json', 'https://bucket.s3.amazonaws.com/dir/t.json', 'https://s3.eu-west-1.amazonaws.com/bucket/t.json', 'https://bucket.s3.cn-north-1.amazonaws.com.cn/t.json']) {
      expect(() => ownerKit(config, owned, url)).not.toThrow();
    }
    for (const url of ['http://bucket.s3.eu-west-1.amazonaws.com/t.json', 'https://example.com/t.json', 'https://bucket.s3-website-eu-west-1.amazonaws.com/t.json', 'https://bucket.s3.eu-west-1.amazonaws.com/', 'https://s3.eu-west-1.amazonaws.com/bucket/', 's3://bucket/t.json', 'templates/console-broker-target.json']) {
      expect(() => ownerKit(config, owned, url)).toThrow(/--template-url must be an https URL of the template in an S3 bucket/);
    }
  });

  it("prints AWS CLI commands with the broker's region, which the operator's default need not be", () => {
    if (!owned) throw new Error('no owner-deployed target in the shipped configuration');
    const commands = ownerKit(config, owned, undefined).split('\n').filter((line) => line.trim().startsWith('aws '));

    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(command).toContain(` --region ${config.region} `);
  });

  it('answers an unknown target with the targets that have a kit', () => {
    const run = (): string => execFileSync('npx', ['tsx', 'bin/owner-kit.ts', 'no-such-target'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

    const error = (() => {
      try {
        run();
      } catch (failure) {
        return failure as { status: number; stderr: string };
      }
      throw new Error('owner-kit answered an unknown target');
    })();
    expect(error.status).toBe(1);
    const names = config.targets.filter((t) => t.deployedBy === 'owner').map((t) => t.name);
    expect(error.stderr.trim()).toBe(`owner-kit: no owner-deployed target "no-such-target"; targets of ${CONFIG_PATH} with an owner kit: ${names.join(', ')}`);
  });
});
