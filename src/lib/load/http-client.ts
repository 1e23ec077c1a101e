// The load generator's HTTP client: one undici Pool per target with keep-alive connections, driven
// through `dispatch` with a minimal handler (no stream or promise per request, headers left raw),
// because the generator must never be the bottleneck. Each attempt has its own deadline, and every
// outcome is classified (4xx, 429, 5xx, timeout, connection).
import {performance} from 'node:perf_hooks'
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
  private readonly deadlines = new DeadlineQueue()
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
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) this.deadlines.add(handler, timeoutMs)
    this.pool.dispatch({origin: this.origin, method: attempt.method, path: this.basePath + attempt.path, headers: attempt.headers ?? null, body: attempt.body ?? null}, handler)
  }

  async close(): Promise<void> {
    this.deadlines.clear()
    await this.pool.destroy()
  }
}

/**
 * Per-attempt deadlines without a timer per request: attempts with the same timeout expire in the
 * order they were sent, so each timeout value is a FIFO, and one timer is armed for the earliest
 * head. Finished attempts are skipped when they reach the head.
 */
class DeadlineQueue {
  private readonly queues = new Map<number, {items: Array<{at: number; handler: AttemptHandler}>; head: number}>()
  private timer: NodeJS.Timeout | undefined
  private timerAt = Number.POSITIVE_INFINITY

  add(handler: AttemptHandler, timeoutMs: number): void {
    let queue = this.queues.get(timeoutMs)
    if (!queue) {
      queue = {items: [], head: 0}
      this.queues.set(timeoutMs, queue)
    }
    const at = performance.now() + timeoutMs
    queue.items.push({at, handler})
    if (at < this.timerAt) this.arm(at)
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
    this.queues.clear()
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(at - performance.now())))
  }

  private expire(): void {
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
    const now = performance.now()
    let next = Number.POSITIVE_INFINITY
    for (const queue of this.queues.values()) {
      while (queue.head < queue.items.length) {
        const entry = queue.items[queue.head]!
        if (entry.handler.settledAlready) {
          queue.head++
          continue
        }
        if (entry.at > now) {
          next = Math.min(next, entry.at)
          break
        }
        queue.head++
        entry.handler.timeout()
      }
      if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
        queue.items.splice(0, queue.head)
        queue.head = 0
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next)
  }
}

/** undici's native (raw-header) handler interface: the fastest path through the dispatcher. */
class AttemptHandler {
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

  get settledAlready(): boolean {
    return this.settled
  }

  timeout(): void {
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
