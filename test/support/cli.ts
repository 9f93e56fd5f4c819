import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The CLI as `npm run build:cli` builds it (the global setup runs that). */
export const CLI = path.join(__dirname, '..', '..', 'dist', 'console-broker.mjs');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would, with only the environment given (no ~/.aws, no instance metadata). */
export function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(path.join(tmpdir(), 'cli-home-')), AWS_EC2_METADATA_DISABLED: 'true', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
