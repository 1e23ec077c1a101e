// The load generator's HTTP client: one undici Pool per target with keep-alive connections, driven
// through `dispatch` with a minimal handler (no stream or promise per request, headers left raw),
// because the generator must never be the bottleneck. Each attempt has its own deadline, and every
// outcome is classified (4xx, 429, 5xx, timeout, connection).
import {Pool} from 'undici'
import {classifyError, classifyStatus, type ErrorClass} from '../measure/outcome.js'

export interface HttpAttempt {
  method: string
  /** Path and query, appended to the target's base path. */
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface AttemptResult {
  /** HTTP status; 0 when no response arrived. */
  status: number
  error?: ErrorClass
  /** Transport error code (ECONNREFUSED, UND_ERR_SOCKET, ...), when there was one. */
  errorCode?: string
  /** From a Retry-After header (seconds or an HTTP date), in ms. */
  retryAfterMs?: number
  /** The response body, when asked for. */
  body?: string
}

export interface HttpTargetOptions {
  /** Keep-alive connections the pool may open (opened lazily, as the load needs them). */
  connections: number
  keepAliveMs?: number
  connectTimeoutMs?: number
}

const TIMEOUT_ERROR = Object.assign(new Error('attempt timed out'), {code: 'STREAMCTL_ATTEMPT_TIMEOUT'})

export class HttpTarget {
  readonly pool: Pool
  private readonly basePath: string
  readonly origin: string

  constructor(baseUrl: string, options: HttpTargetOptions) {
    const url = new URL(baseUrl)
    this.origin = url.origin
    this.basePath = url.pathname.replace(/\/+$/, '')
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveMs ?? 30_000,
      keepAliveMaxTimeout: 600_000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    })
  }

  /** Sends one attempt; `onDone` is called exactly once, at the latest `timeoutMs` after now. */
  send(attempt: HttpAttempt, timeoutMs: number, captureBody: boolean, onDone: (result: AttemptResult) => void): void {
    const handler = new AttemptHandler(captureBody, onDone)
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) handler.timer = setTimeout(() => handler.timeout(), timeoutMs)
    this.pool.dispatch({origin: this.origin, method: attempt.method, path: this.basePath + attempt.path, headers: attempt.headers ?? null, body: attempt.body ?? null}, handler)
  }

  async close(): Promise<void> {
    await this.pool.destroy()
  }
}

/** undici's native (raw-header) handler interface: the fastest path through the dispatcher. */
class AttemptHandler {
  timer: NodeJS.Timeout | undefined
  private abort: ((error?: Error) => void) | undefined
  private settled = false
  private status = 0
  private retryAfterMs: number | undefined
  private chunks: Buffer[] | undefined

  constructor(
    captureBody: boolean,
    private readonly onDone: (result: AttemptResult) => void,
  ) {
    if (captureBody) this.chunks = []
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort
    if (this.settled) abort(TIMEOUT_ERROR)
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null): boolean {
    this.status = statusCode
    if ((statusCode === 429 || statusCode === 503) && rawHeaders) this.retryAfterMs = findRetryAfter(rawHeaders)
    return true
  }

  onData(chunk: Buffer): boolean {
    this.chunks?.push(chunk)
    return true
  }

  onComplete(): void {
    if (this.settle()) return
    const error = classifyStatus(this.status)
    this.onDone({
      status: this.status,
      ...(error ? {error} : {}),
      ...(this.retryAfterMs === undefined ? {} : {retryAfterMs: this.retryAfterMs}),
      ...(this.chunks ? {body: Buffer.concat(this.chunks).toString('utf8')} : {}),
    })
  }

  onError(error: Error): void {
    if (this.settle()) return
    const code = (error as {code?: string}).code
    this.onDone({status: 0, error: classifyError(error), ...(code ? {errorCode: code} : {})})
  }

  timeout(): void {
    this.timer = undefined
    if (this.settle()) return
    this.abort?.(TIMEOUT_ERROR)
    this.onDone({status: 0, error: 'timeout', errorCode: TIMEOUT_ERROR.code})
  }

  onUpgrade(): void {}
  onBodySent(): void {}
  onResponseStarted(): void {}

  /** Marks the attempt finished; true when it already was (a late callback after a timeout). */
  private settle(): boolean {
    if (this.settled) return true
    this.settled = true
    if (this.timer) clearTimeout(this.timer)
    return false
  }
}

function findRetryAfter(rawHeaders: Buffer[] | string[]): number | undefined {
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (String(rawHeaders[index]).toLowerCase() === 'retry-after') return parseRetryAfter(String(rawHeaders[index + 1]))
  }
  return undefined
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
