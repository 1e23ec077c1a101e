// The requests of one keep-alive connection and a protocol error after them (bytes that are not
// HTTP, a header or request timeout). node:http answers pipelined requests in order, but hands such
// an error to 'clientError' at once, while earlier requests of the connection are still being
// handled; an answer written then is taken by the client for its earliest unanswered request, which
// the service may still go on to admit and charge. So the error's answer waits for theirs, then the
// connection closes; and a handler asks `clientGone()` before admitting anything.
import {STATUS_CODES, type IncomingMessage, type ServerResponse} from 'node:http'
import type {Socket} from 'node:net'
import type {Logger} from '../telemetry/log.js'
import {HttpError, type ErrorBody} from './errors.js'

/** How long a closing connection may keep its read side open before it is cut. */
const CLOSE_LINGER_MS = 5_000

interface Connection {
  /** Requests received on it so far. */
  received: number
  /** Of those, the ones whose answer is not handed to the socket yet. */
  unanswered: number
  /** The request whose answer closes the connection (Connection: close): later ones get none. */
  closesAfter: number
  /** Aborted, with the error's answer, once no more of the connection will be read. */
  readStopped: AbortController
  /** The protocol error, answered once every request before it is. */
  failure?: HttpError
}

export interface TrackedRequest {
  /** The connection will not carry this request's answer: the client left, or it closes before. */
  clientGone(): boolean
  /** Aborts when the rest of an unfinished body will never be read (see readJsonBody). */
  readStopped: AbortSignal
  /** This request's answer closes the connection, so the requests after it get none. */
  closesConnection(): void
}

export class ConnectionTracker {
  private readonly connections = new WeakMap<Socket, Connection>()

  constructor(private readonly log: Logger) {}

  /**
   * Counts a request unanswered until its response is handed to the socket. A request parsed after
   * the connection failed, was left, or was told it closes will never be answered: it is not counted,
   * and it must not run (clientGone() is true from the start).
   */
  track(request: IncomingMessage, response: ServerResponse): TrackedRequest {
    const socket = request.socket
    const state = this.connections.get(socket) ?? this.opened(socket)
    if (state.failure || socket.destroyed || !socket.writable || state.received >= state.closesAfter)
      return NEVER_ANSWERED
    const sequence = ++state.received
    state.unanswered++
    response.once('finish', () => {
      if (--state.unanswered === 0 && state.failure) answerAndClose(socket, state.failure)
    })
    return {
      clientGone: () => socket.destroyed || !socket.writable || sequence > state.closesAfter,
      readStopped: state.readStopped.signal,
      closesConnection: () => {
        state.closesAfter = Math.min(state.closesAfter, sequence)
      },
    }
  }

  private opened(socket: Socket): Connection {
    const connection: Connection = {
      received: 0,
      unanswered: 0,
      closesAfter: Infinity,
      readStopped: new AbortController(),
    }
    this.connections.set(socket, connection)
    return connection
  }

  /** The server's 'clientError' listener. */
  readonly clientError = (error: NodeJS.ErrnoException, socket: Socket): void => {
    const connection = this.connections.get(socket)
    // The parser repeats its error on every later read; a closing socket needs no second answer.
    if (connection?.failure || !socket.writable) return
    if (error.code === 'ECONNRESET') return void socket.destroy()
    this.log.warn('bad HTTP from a client', {error: error.code ?? error.message})
    const failure = protocolError(error)
    if (!connection || connection.unanswered === 0) return answerAndClose(socket, failure)
    connection.failure = failure
    // The requests received so far are answered first; any parsed after this get no answer and do not run.
    connection.closesAfter = Math.min(connection.closesAfter, connection.received)
    connection.readStopped.abort(failure)
  }
}

const NEVER_ANSWERED: TrackedRequest = {
  clientGone: () => true,
  readStopped: AbortSignal.abort(
    new HttpError(400, 'client_closed_request', 'the connection closes before this request'),
  ),
  closesConnection: () => {},
}

function protocolError(error: NodeJS.ErrnoException): HttpError {
  const close = {connection: 'close'}
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpError(
        408,
        'request_timeout',
        'the request did not arrive in time; send its headers and body without pausing',
        close,
      )
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(431, 'headers_too_large', 'the request headers are too large', close)
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpError(413, 'payload_too_large', 'the chunk extensions are too large', close)
    default:
      return new HttpError(
        400,
        'malformed_http',
        `the request is not valid HTTP/1.1 (${error.code ?? error.message}); the connection is closed`,
        close,
      )
  }
}

/** Writes the answer straight to the socket (there is no response object for it) and closes. */
function answerAndClose(socket: Socket, error: HttpError): void {
  if (!socket.writable) return // the last answer closed it already, or the client left
  const body = JSON.stringify({error: {code: error.code, message: error.message}} satisfies ErrorBody)
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
  // end() leaves the read side to the client, which may never close it.
  setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref()
}
