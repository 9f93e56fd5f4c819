// Runs a bundled handler in its own Node.js process, as the Lambda runtime would: import once (init),
// then invoke it for each event the parent sends over IPC.
import { pathToFileURL } from 'node:url';

/** Starts the line that ends an invocation's output; bundle.ts waits for it and leaves it out of output(). */
const END_OF_INVOCATION = '#bundle-runtime:end-of-invocation ';

const started = performance.now();
const { handler } = await import(pathToFileURL(process.argv[2]).href);
process.send({ type: 'ready', initMs: performance.now() - started });

process.on('message', async ({ id, event, context, timeoutMs }) => {
  // Counts down from the function's timeout, as Lambda's context does.
  const deadline = Date.now() + timeoutMs;
  const lambdaContext = { ...context, getRemainingTimeInMillis: () => deadline - Date.now() };
  let message;
  try {
    message = { type: 'result', id, result: await handler(event, lambdaContext) };
  } catch (error) {
    message = { type: 'result', id, error: String(error) };
  }
  // The log lines travel by the stdout pipe and the answer by IPC, which may overtake them: a marker
  // after the invocation's lines tells the parent when it has all of them.
  process.stdout.write(`${END_OF_INVOCATION}${id}\n`, () => process.send(message));
});
process.on('disconnect', () => process.exit(0));
