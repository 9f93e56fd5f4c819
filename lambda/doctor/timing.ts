// How long the doctor may run, apart from doctor.ts so that the CLI and the stack read it without
// loading the AWS SDK clients the doctor's checks import.

/** The doctor function's timeout: room for hundreds of targets whose calls each run out of time. */
export const DOCTOR_TIMEOUT_SECONDS = 300;
/**
 * Time kept back from the function's remaining time: to build the report and write its line, and so that
 * a run that uses its deadline answers, cold start and network included, before a caller's HTTP client
 * gives up waiting for headers (Node's fetch does after 300 s, the doctor's timeout; cli/client.ts).
 */
export const DOCTOR_DEADLINE_MARGIN_MS = 20_000;
