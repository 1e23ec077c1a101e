// An HTTP answer other than success, thrown by handlers: its status, a stable code for clients and
// a message naming what was wrong. Anything else thrown becomes a logged 500.
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string | number> = {},
  ) {
    super(message)
  }
}

export interface ErrorBody {
  error: {code: string; message: string}
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message)
export const notFound = (message: string) => new HttpError(404, 'not_found', message)
/** The client went away before its answer: nobody is left to read it, and it is not the service's fault. */
export const clientClosedRequest = (before: string) =>
  new HttpError(400, 'client_closed_request', `the client closed the connection before ${before}`)
/** A store or broker the handler needs is unreachable: a 503 the client may retry after a second. */
export const unavailable = (message: string, code = 'unavailable') =>
  new HttpError(503, code, `${message}; retry shortly`, {'retry-after': 1})
