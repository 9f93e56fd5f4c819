// Runs a bundled handler in its own Node.js process, as the Lambda runtime would: import once (init),
// then invoke it for each event the parent sends over IPC.
import { pathToFileURL } from 'node:url';

const started = performance.now();
const { handler } = await import(pathToFileURL(process.argv[2]).href);
process.send({ type: 'ready', initMs: performance.now() - started });

process.on('message', async ({ id, event, context, timeoutMs }) => {
  // Counts down from the function's timeout, as Lambda's context does.
  const deadline = Date.now() + timeoutMs;
  const lambdaContext = { ...context, getRemainingTimeInMillis: () => deadline - Date.now() };
  try {
    process.send({ type: 'result', id, result: await handler(event, lambdaContext) });
  } catch (error) {
    process.send({ type: 'result', id, error: String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
