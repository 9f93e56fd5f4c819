/** An error whose status, code and message are fit to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = code;
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, 'BadRequest', message);
export const forbidden = (message: string): HttpError => new HttpError(403, 'Forbidden', message);
export const notFound = (message: string): HttpError => new HttpError(404, 'NotFound', message);
/** A 405 that names the methods the path takes, for the Allow header. */
export class MethodNotAllowedError extends HttpError {
  constructor(
    message: string,
    readonly allowed: readonly string[],
  ) {
    super(405, 'MethodNotAllowed', message);
  }
}

/** A refusal that may succeed later, answered with Retry-After: https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 */
export class RetryLaterError extends HttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(status, code, message, options);
  }
}

export const methodNotAllowed = (message: string, allowed: readonly string[] = ['GET']): HttpError => new MethodNotAllowedError(message, allowed);
export const badGateway = (code: string, message: string, cause?: unknown): HttpError =>
  new HttpError(502, code, message, { cause });
export const gatewayTimeout = (message: string, cause?: unknown): HttpError =>
  new HttpError(504, 'UpstreamTimeout', message, { cause });

/** True for the SDK HTTP handler's way of saying a call ran out of time (throwOnRequestTimeout). */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}
