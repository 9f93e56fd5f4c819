import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

/**
 * A time by which a whole request must be answered, shared by every outbound call the request makes:
 * each call gets what is left, or its own timeout if that is shorter. An entry that must answer within
 * a fixed time (Slack's three seconds) runs its work in `within`; outside one, calls keep only their own timeout.
 */
export class Deadline {
  private readonly endsAt: number;

  constructor(
    budgetMs: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.endsAt = now() + budgetMs;
  }

  /** Whole milliseconds, as timers take them. */
  remainingMs(): number {
    return Math.max(0, Math.ceil(this.endsAt - this.now()));
  }
}

const current = new AsyncLocalStorage<Deadline>();

/** Runs `work` with `deadline` over every call made through a DeadlineHttpHandler meanwhile. */
export function within<T>(deadline: Deadline, work: () => Promise<T>): Promise<T> {
  return current.run(deadline, work);
}

/** The error the SDK handler throws for a call that ran out of its own time (throwOnRequestTimeout), so callers tell one story. */
function timeoutError(): Error {
  const error = new Error('the request ran out of time');
  error.name = 'TimeoutError';
  return error;
}

/**
 * The SDK's HTTP handler, cut short when the request's deadline passes: the call is aborted, so the
 * answer does not wait for it and it does not run on into the next invocation.
 */
export class DeadlineHttpHandler extends NodeHttpHandler {
  override async handle(request: HttpRequest, options: HttpHandlerOptions = {}): ReturnType<NodeHttpHandler['handle']> {
    const deadline = current.getStore();
    if (deadline === undefined) return super.handle(request, options);
    const expiry = AbortSignal.timeout(deadline.remainingMs());
    const abortSignal = options.abortSignal === undefined ? expiry : AbortSignal.any([expiry, options.abortSignal as AbortSignal]);
    try {
      return await super.handle(request, { ...options, abortSignal });
    } catch (error) {
      throw expiry.aborted ? timeoutError() : error;
    }
  }
}
