import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { vi } from 'vitest';
import type { FakeAws } from '../fakes/aws';
import type { BrokerContext } from '../../lambda/core/middleware';
import type { Registry } from '../../lambda/core/registry';
import type { FunctionUrlEvent } from '../../lambda/core/request';
import { lambdaContext } from './events';
import { testRegistry } from './config';

export type Invoke = (event: FunctionUrlEvent) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Loads lambda/iam/handler.ts afresh, with the environment the stack and the runtime would give it,
 * pointed at the fakes: every call goes over HTTP through the real SDK clients and fetch.
 */
export async function loadHandler(fake: FakeAws, env: Record<string, string> = {}): Promise<Invoke> {
  vi.resetModules();
  const all = { ...fake.env(), CONSOLE_BROKER_REGISTRY: JSON.stringify(testRegistry()), ...env };
  for (const [key, value] of Object.entries(all)) vi.stubEnv(key, value);
  const { handler } = await import('../../lambda/iam/handler');
  return (event) => handler(event, lambdaContext() as unknown as BrokerContext);
}

/** The Identity Center administrators, the operators of loadDoctor's registries. */
export const OPERATOR_PATTERN = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/*';

/**
 * Loads lambda/doctor/handler.ts afresh in the same way, for `registry` (default: the test registry with OPERATOR_PATTERN);
 * the function's timeout is `timeoutMs`, from which its context counts down.
 */
export async function loadDoctor(fake: FakeAws, options: { registry?: Registry; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Invoke> {
  vi.resetModules();
  const all = { ...fake.env(), CONSOLE_BROKER_REGISTRY: JSON.stringify(options.registry ?? { ...testRegistry(), operators: [OPERATOR_PATTERN] }), ...options.env };
  for (const [key, value] of Object.entries(all)) vi.stubEnv(key, value);
  const { handler } = await import('../../lambda/doctor/handler');
  return (event) => handler(event, lambdaContext(undefined, options.timeoutMs ?? 300_000) as unknown as BrokerContext);
}

/** Collects what the handler writes to standard output: its log lines. */
export function captureStdout(): { lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (text.startsWith('{')) {
      chunks.push(text);
      return true;
    }
    return original(chunk, ...(rest as []));
  });
  return {
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter((line) => line !== ''),
  };
}
