import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { APIGatewayProxyStructuredResultV2, ScheduledEvent } from 'aws-lambda';
import type { FunctionUrlEvent } from '../../lambda/core/request';
import { lambdaContext } from './events';
import { CDK_OUT } from './paths';


interface TemplateResource {
  readonly Type: string;
  readonly Properties?: { readonly Handler?: string };
  readonly Metadata?: Record<string, string>;
}

/**
 * A Lambda's bundled entry file, found the way CloudFormation finds it: through the broker template.
 * `functionId` picks the function by its construct ID (the IAM entry, `WebFunction` or `DoctorFunction`).
 */
export function bundledHandlerPath(options: { cdkOut?: string; functionId?: string } = {}): string {
  const cdkOut = options.cdkOut ?? CDK_OUT;
  const functionId = options.functionId ?? 'LoginFunction';
  const templatePath = path.join(cdkOut, 'ConsoleBroker.template.json');
  if (!existsSync(templatePath)) throw new Error(`${templatePath} is missing: run npm run synth`);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, TemplateResource> };
  const fn = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(functionId))?.[1];
  const assetPath = fn?.Metadata?.['aws:asset:path'];
  const handler = fn?.Properties?.Handler;
  if (!assetPath || !handler) throw new Error('no bundled Lambda asset in the broker template');
  const file = handler.replace(/\.[^.]+$/, '');
  const candidates = ['.mjs', '.js'].map((ext) => path.join(cdkOut, assetPath, `${file}${ext}`));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`bundle not found among ${candidates.join(', ')}`);
  return found;
}

export interface RunningBundle {
  readonly initMs: number;
  /** Everything the process wrote to stdout and stderr: its log lines. */
  readonly output: () => string;
  /** A function URL event, or the doctor's scheduled event, with the function's timeout unless given. */
  invoke(event: FunctionUrlEvent | ScheduledEvent, options?: { readonly timeoutMs?: number }): Promise<APIGatewayProxyStructuredResultV2>;
  stop(): Promise<void>;
}

interface Message {
  readonly type: 'ready' | 'result';
  readonly initMs?: number;
  readonly id?: string;
  readonly result?: APIGatewayProxyStructuredResultV2;
  readonly error?: string;
}

/**
 * Starts the bundle in a fresh Node.js process with only the environment given; init failures reject.
 * `timeoutMs` is the function's timeout, which each invocation's context counts down from: 15 s, a login's, unless given.
 */
export async function startBundle(bundlePath: string, env: Record<string, string>, timeoutMs = 15_000): Promise<RunningBundle> {
  let output = '';
  // Invocations whose output has all arrived: the runtime ends each with a marker line (bundle-runtime.mjs).
  const ended = new Set<string>();
  const onEnded = new Map<string, () => void>();
  // stdout is read in whole lines, apart from stderr, so a marker split across chunks still matches.
  let stdoutTail = '';
  const read = (chunk: Buffer): void => {
    stdoutTail += chunk.toString();
    const end = stdoutTail.lastIndexOf('\n') + 1;
    const lines = stdoutTail.slice(0, end);
    stdoutTail = stdoutTail.slice(end);
    output += lines.replace(/#bundle-runtime:end-of-invocation ([\w-]+)\n/g, (_marker, id: string) => {
      ended.add(id);
      onEnded.get(id)?.();
      return '';
    });
  };
  const child: ChildProcess = fork(path.join(__dirname, 'bundle-runtime.mjs'), [bundlePath], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [],
  });
  child.stdout?.on('data', read);
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pending = new Map<string, { resolve: (r: APIGatewayProxyStructuredResultV2) => void; reject: (e: Error) => void }>();

  const initMs = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => { reject(new Error(`the bundle exited with ${String(code)} during init:\n${output}${stdoutTail}`)); });
    child.on('message', (message: Message) => {
      if (message.type === 'ready') resolve(message.initMs ?? 0);
      else if (message.id !== undefined) {
        const id = message.id;
        const waiter = pending.get(id);
        pending.delete(id);
        const settle = (): void => {
          onEnded.delete(id);
          if (message.error !== undefined) waiter?.reject(new Error(message.error));
          else if (message.result) waiter?.resolve(message.result);
        };
        if (ended.delete(id)) settle();
        else onEnded.set(id, () => { ended.delete(id); settle(); });
      }
    });
  });

  return {
    initMs,
    output: () => output + stdoutTail,
    invoke: (event, options = {}) =>
      new Promise((resolve, reject) => {
        const id = randomUUID();
        pending.set(id, { resolve, reject });
        // Functions do not cross the IPC channel; the runtime script adds its own.
        child.send({ id, event, context: JSON.parse(JSON.stringify(lambdaContext(id))) as unknown, timeoutMs: options.timeoutMs ?? timeoutMs });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) { resolve(); return; }
        child.once('exit', () => { resolve(); });
        child.disconnect();
      }),
  };
}
