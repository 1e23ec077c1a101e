// The load generator's HTTP client: HTTP/1.1 keep-alive connections of its own on net (or tls)
// sockets, one request at a time on each, written as one buffer and read by a minimal parser, the
// way autocannon drives its sockets. It replaced an undici Pool, whose dispatcher cost 1.7x
// autocannon's CPU per request, and the generator must never be what limits a benchmark. Each
// attempt has its own deadline, and every outcome is classified (4xx, 429, 5xx, timeout,
// connection). https:// targets use the same code on TLS sockets, with certificates verified.
import net from 'node:net'
import {performance} from 'node:perf_hooks'
import tls from 'node:tls'
import {classifyError, classifyStatus, type ErrorClass} from '../measure/outcome.js'
import {ResponseParser} from './http1-response.js'

export interface HttpAttempt {
  method: string
  /** Path and query, appended to the target's base path. */
  path: string
  headers?: Record<string, string>
  body?: string
  /** The same object is sent again and again (a template without placeholders): encode it once. */
  fixed?: boolean
}

export interface AttemptResult {
  /** HTTP status; 0 when no response arrived. */
  status: number
  error?: ErrorClass | undefined
  /** Transport error code (ECONNREFUSED, STREAMCTL_SOCKET_CLOSED, ...), when there was one. */
  errorCode?: string | undefined
  /** From a Retry-After header (seconds or an HTTP date), in ms. */
  retryAfterMs?: number | undefined
  /** The response body, when asked for. */
  body?: string | undefined
}

export interface HttpTargetOptions {
  /** Keep-alive connections the target may open (opened lazily, as the load needs them). */
  connections: number
}

type OnDone = (result: AttemptResult) => void

/** Without a Keep-Alive hint from the server, an idle connection is not reused after this long. */
const MAX_IDLE_MS = 30_000
/** Stop reusing a connection this long (at most half the timeout) before the server's Keep-Alive timeout closes it. */
const KEEP_ALIVE_MARGIN_MS = 1000
const CONNECT_TIMEOUT_MS = 10_000

const coded = (message: string, code: string) => Object.assign(new Error(message), {code})
const TIMEOUT_ERROR = coded('attempt timed out', 'STREAMCTL_ATTEMPT_TIMEOUT')
const CONNECT_TIMEOUT_ERROR = coded(`no connection within ${CONNECT_TIMEOUT_MS} ms`, 'STREAMCTL_CONNECT_TIMEOUT')
const CLOSED_ERROR = coded(
  'the server closed the connection before the response was complete',
  'STREAMCTL_SOCKET_CLOSED',
)
const UNSOLICITED_ERROR = coded('the server sent more than the response', 'STREAMCTL_UNSOLICITED_DATA')

/** An attempt waiting for a connection, when all of them are busy. */
interface Waiting {
  wire: Buffer | string
  hasBody: boolean
  captureBody: boolean
  deadline: number
  onDone: OnDone
  timer: NodeJS.Timeout | undefined
}

export class HttpTarget {
  readonly origin: string
  private readonly basePath: string
  private readonly hostname: string
  private readonly port: number
  private readonly secure: boolean
  private readonly hostHeader: string
  private readonly maxConnections: number
  private readonly all = new Set<Connection>()
  /** Free connections, the most recently used last, so an idle tail can time out on the server. */
  private readonly idle: Connection[] = []
  private readonly waiting: Waiting[] = []
  private readonly encoded = new Map<HttpAttempt, Buffer>()
  private closed = false

  constructor(baseUrl: string, options: HttpTargetOptions) {
    const url = new URL(baseUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`${baseUrl}: only http:// and https:// targets can be load-tested`)
    this.origin = url.origin
    this.basePath = url.pathname.replace(/\/+$/, '')
    this.secure = url.protocol === 'https:'
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1')
    this.port = Number(url.port || (this.secure ? 443 : 80))
    this.hostHeader = url.host
    this.maxConnections = Math.max(1, options.connections)
  }

  /** Connections open now (busy or idle). */
  get openConnections(): number {
    return this.all.size
  }

  /** Sends one attempt; `onDone` is called exactly once, at the latest `timeoutMs` after now. */
  send(attempt: HttpAttempt, timeoutMs: number, captureBody: boolean, onDone: OnDone): void {
    let wire: Buffer | string
    try {
      wire = attempt.fixed ? this.fixedWire(attempt) : this.encode(attempt)
    } catch (error) {
      process.nextTick(onDone, {status: 0, error: 'connection', errorCode: (error as {code?: string}).code})
      return
    }
    const deadline =
      timeoutMs > 0 && Number.isFinite(timeoutMs) ? performance.now() + timeoutMs : Number.POSITIVE_INFINITY
    const hasBody = attempt.method !== 'HEAD'
    const connection = this.freeConnection()
    if (connection) connection.exchange(wire, hasBody, captureBody, deadline, onDone)
    else this.wait({wire, hasBody, captureBody, deadline, onDone, timer: undefined})
  }

  async close(): Promise<void> {
    this.closed = true
    for (const waiting of this.waiting.splice(0)) clearTimeout(waiting.timer)
    await Promise.all([...this.all].map((connection) => connection.destroy()))
  }

  /** A connection ready for a request: an idle one still fresh enough, else a new one if allowed. */
  private freeConnection(): Connection | undefined {
    if (this.closed) return undefined
    for (let connection = this.idle.pop(); connection; connection = this.idle.pop()) {
      if (connection.reusable(performance.now())) return connection
      void connection.destroy()
    }
    if (this.all.size >= this.maxConnections) return undefined
    const connection = new Connection(this, this.hostname, this.port, this.secure)
    this.all.add(connection)
    return connection
  }

  private wait(waiting: Waiting): void {
    if (waiting.deadline !== Number.POSITIVE_INFINITY) {
      waiting.timer = setTimeout(
        () => {
          this.waiting.splice(this.waiting.indexOf(waiting), 1)
          waiting.onDone({status: 0, error: 'timeout', errorCode: TIMEOUT_ERROR.code})
        },
        Math.max(1, Math.ceil(waiting.deadline - performance.now())),
      )
    }
    this.waiting.push(waiting)
  }

  /** A connection finished its exchange and may take another. */
  release(connection: Connection): void {
    const next = this.waiting.shift()
    if (!next) return void this.idle.push(connection)
    clearTimeout(next.timer)
    connection.exchange(next.wire, next.hasBody, next.captureBody, next.deadline, next.onDone)
  }

  /** A connection is gone: a waiting attempt, if any, gets a new one in its place. */
  forget(connection: Connection): void {
    if (!this.all.delete(connection)) return
    const index = this.idle.indexOf(connection)
    if (index >= 0) this.idle.splice(index, 1)
    if (this.waiting.length === 0) return
    const replacement = this.freeConnection()
    if (replacement) this.release(replacement)
  }

  private fixedWire(attempt: HttpAttempt): Buffer {
    let wire = this.encoded.get(attempt)
    if (!wire) {
      wire = Buffer.from(this.encode(attempt), 'utf8')
      this.encoded.set(attempt, wire)
    }
    return wire
  }

  /** The request as it goes on the wire (RFC 9112 §3): request line, headers, blank line, body. */
  private encode(attempt: HttpAttempt): string {
    let head = `${attempt.method} ${this.basePath}${attempt.path} HTTP/1.1\r\n`
    let host = false
    let length = false
    const headers = attempt.headers
    if (headers) {
      for (const name in headers) {
        const value = headers[name]!
        if (/[\r\n]/.test(value) || /[\r\n:]/.test(name))
          throw coded(
            `header ${JSON.stringify(name)} has a line break in its name or value`,
            'STREAMCTL_INVALID_HEADER',
          )
        head += `${name}: ${value}\r\n`
        if (name.length === 4 && name.toLowerCase() === 'host') host = true
        else if (name.length === 14 && name.toLowerCase() === 'content-length') length = true
      }
    }
    if (!host) head += `host: ${this.hostHeader}\r\n`
    const body = attempt.body
    if (
      !length &&
      (body !== undefined || attempt.method === 'POST' || attempt.method === 'PUT' || attempt.method === 'PATCH')
    )
      head += `content-length: ${body === undefined ? 0 : Buffer.byteLength(body)}\r\n`
    return body === undefined ? `${head}\r\n` : `${head}\r\n${body}`
  }
}

/**
 * Plain sockets read into this one buffer and hand it to the parser at once (net's `onread`),
 * skipping the stream machinery and a buffer per read; the parser copies what it keeps.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024)

/** One keep-alive connection and the exchange in progress on it, if any. */
class Connection {
  private readonly socket: net.Socket
  private readonly parser = new ResponseParser()
  private onDone: OnDone | undefined
  private deadline = Number.POSITIVE_INFINITY
  /** One timer per connection, re-armed lazily: most attempts finish long before their deadline. */
  private timer: NodeJS.Timeout | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private socketError: Error | undefined
  private idleLimitMs = MAX_IDLE_MS
  private idleSince = 0
  private gone = false
  private readonly closed: Promise<void>

  constructor(
    private readonly target: HttpTarget,
    host: string,
    port: number,
    secure: boolean,
  ) {
    const socket = secure
      ? tls.connect({host, port, ...(net.isIP(host) ? {} : {servername: host}), ALPNProtocols: ['http/1.1']})
      : net.connect({host, port, onread: {buffer: READ_BUFFER, callback: this.onRead}})
    this.socket = socket
    socket.setNoDelay(true)
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(CONNECT_TIMEOUT_ERROR))
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.setTimeout(0))
    if (secure) socket.on('data', this.onData)
    socket.on('error', (error) => {
      this.socketError = error
    })
    socket.on('end', this.onEnd)
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.onEnd()
        resolve()
      }),
    )
  }

  exchange(wire: Buffer | string, hasBody: boolean, captureBody: boolean, deadline: number, onDone: OnDone): void {
    this.onDone = onDone
    this.deadline = deadline
    this.parser.reset(captureBody, hasBody)
    if (deadline < this.timerAt) this.arm(deadline)
    this.socket.write(wire)
  }

  /** Whether the connection may carry another request now, or the server may already be closing it. */
  reusable(now: number): boolean {
    return !this.gone && now - this.idleSince < this.idleLimitMs
  }

  destroy(): Promise<void> {
    this.socket.destroy()
    this.leave()
    return this.closed
  }

  private arm(at: number): void {
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(this.checkDeadline, Math.max(1, Math.ceil(at - performance.now())))
  }

  private readonly checkDeadline = (): void => {
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
    if (!this.onDone || this.deadline === Number.POSITIVE_INFINITY) return
    if (this.deadline > performance.now()) this.arm(this.deadline)
    else this.fail(TIMEOUT_ERROR)
  }

  private readonly onRead = (length: number): boolean => {
    this.onData(READ_BUFFER.subarray(0, length))
    return true
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.onDone) return this.fail(UNSOLICITED_ERROR)
    let end: number
    try {
      end = this.parser.execute(chunk)
    } catch (error) {
      return this.fail(error as Error)
    }
    if (end < 0) return
    // One request at a time: anything after the response is a broken stream.
    if (end < chunk.length) this.parser.keepAlive = false
    this.complete()
  }

  private readonly onEnd = (): void => {
    if (this.onDone && this.parser.endOfStream()) this.complete()
    this.leave()
    if (this.onDone) this.fail(this.socketError ?? CLOSED_ERROR)
  }

  private complete(): void {
    const onDone = this.onDone!
    this.onDone = undefined
    const parser = this.parser
    const status = parser.status
    const result: AttemptResult = {
      status,
      error: classifyStatus(status),
      errorCode: undefined,
      retryAfterMs: parser.retryAfter === undefined ? undefined : parseRetryAfter(parser.retryAfter),
      body: parser.body(),
    }
    if (parser.keepAlive && !this.gone) {
      this.idleSince = performance.now()
      if (parser.keepAliveTimeoutMs !== undefined)
        this.idleLimitMs = parser.keepAliveTimeoutMs - Math.min(KEEP_ALIVE_MARGIN_MS, parser.keepAliveTimeoutMs / 2)
      this.target.release(this)
    } else void this.destroy()
    onDone(result)
  }

  private fail(error: Error): void {
    const onDone = this.onDone
    this.onDone = undefined
    void this.destroy()
    onDone?.({status: 0, error: classifyError(error), errorCode: (error as {code?: string}).code})
  }

  /** Out of the target's books, once; the timer goes with it. */
  private leave(): void {
    if (this.gone) return
    this.gone = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.target.forget(this)
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
