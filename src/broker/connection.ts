// One client connection: size-prefixed frames in, responses out in request order even when
// requests are pipelined and finish out of order (a long-polling Fetch, a JoinGroup waiting for the
// other members). A frame that is malformed, oversized, or names an API we do not know closes this
// connection only.
import type net from 'node:net'
import type {BrokerContext, RequestContext} from './context.js'
import {HANDLERS} from './handlers/dispatch.js'
import {apiName, isFlexible, supportsVersion} from './protocol/api-keys.js'
import {Decoder, MalformedFrameError} from './protocol/decoder.js'
import {Encoder} from './protocol/encoder.js'
import {errorCode} from './protocol/errors.js'
import {decodeRequestHeader} from './protocol/header.js'

/** Smallest possible request: api key, version, correlation id, client id length. */
const MIN_FRAME = 10

export class BrokerConnection {
  private readonly sizePrefix = Buffer.alloc(4)
  private sizeFilled = 0
  private frame: Buffer | undefined
  private frameFilled = 0
  private queue: Promise<void> = Promise.resolve()
  private closed = false
  private corked = false
  readonly clientHost: string

  constructor(
    private readonly socket: net.Socket,
    private readonly broker: BrokerContext,
    private readonly maxFrameBytes: number,
  ) {
    this.clientHost = `/${socket.remoteAddress ?? 'unknown'}`
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => this.close())
    socket.on('close', () => {
      this.closed = true
    })
  }

  private onData(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length && !this.closed) {
      if (!this.frame) {
        // A whole frame inside this chunk is used in place, without copying.
        if (this.sizeFilled === 0 && chunk.length - at >= 4) {
          const size = chunk.readInt32BE(at)
          if (!this.acceptSize(size)) return
          if (chunk.length - at - 4 >= size) {
            this.onFrame(chunk.subarray(at + 4, at + 4 + size))
            at += 4 + size
            continue
          }
          this.frame = Buffer.allocUnsafe(size)
          this.frameFilled = 0
          at += 4
          continue
        }
        const take = Math.min(4 - this.sizeFilled, chunk.length - at)
        chunk.copy(this.sizePrefix, this.sizeFilled, at, at + take)
        this.sizeFilled += take
        at += take
        if (this.sizeFilled < 4) return
        this.sizeFilled = 0
        const size = this.sizePrefix.readInt32BE(0)
        if (!this.acceptSize(size)) return
        this.frame = Buffer.allocUnsafe(size)
        this.frameFilled = 0
        continue
      }
      const take = Math.min(this.frame.length - this.frameFilled, chunk.length - at)
      chunk.copy(this.frame, this.frameFilled, at, at + take)
      this.frameFilled += take
      at += take
      if (this.frameFilled === this.frame.length) {
        const frame = this.frame
        this.frame = undefined
        this.onFrame(frame)
      }
    }
  }

  private acceptSize(size: number): boolean {
    if (size >= MIN_FRAME && size <= this.maxFrameBytes) return true
    this.broker.logger.log('warn', 'connection closed: bad frame size', {
      client: this.clientHost,
      size,
      limit: this.maxFrameBytes,
    })
    this.close()
    return false
  }

  private onFrame(frame: Buffer): void {
    let header
    const decoder = new Decoder(frame)
    try {
      header = decodeRequestHeader(decoder)
    } catch (error) {
      this.fail(error)
      return
    }
    const name = apiName(header.apiKey)
    // ApiVersions is answered at any version (librdkafka opens with v3); every other API only at one we speak.
    if (!name || (name !== 'ApiVersions' && !supportsVersion(name, header.apiVersion))) {
      this.broker.logger.log('warn', 'connection closed: unsupported API', {
        client: this.clientHost,
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
      })
      const body = new Encoder().writeInt16(errorCode('UNSUPPORTED_VERSION'))
      this.enqueue(header.correlationId, Promise.resolve(body), {thenClose: true})
      return
    }
    // Flexible versions use request header v2 (tagged fields after the client id) and response
    // header v1 (an empty tagged-field section), except ApiVersions' response, which a client must
    // read before it knows what the broker speaks.
    const flexible = isFlexible(name, header.apiVersion)
    try {
      if (flexible) decoder.skipTaggedFields()
    } catch (error) {
      this.fail(error)
      return
    }
    const request: RequestContext = {
      decoder,
      info: {
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
        correlationId: header.correlationId,
        clientId: header.clientId ?? '',
        clientHost: this.clientHost,
      },
      broker: this.broker,
    }
    let pending: Promise<Encoder | undefined>
    try {
      pending = Promise.resolve(HANDLERS[name](request))
    } catch (error) {
      pending = Promise.reject(error)
    }
    this.enqueue(header.correlationId, pending, {taggedHeader: flexible && name !== 'ApiVersions'})
  }

  private enqueue(
    correlationId: number,
    pending: Promise<Encoder | undefined>,
    options: {thenClose?: boolean; taggedHeader?: boolean} = {},
  ): void {
    pending.catch(() => undefined) // marks it handled early: the queue below awaits it in order and fail() reports it
    this.queue = this.queue.then(async () => {
      if (this.closed) return
      let body: Encoder | undefined
      try {
        body = await pending
      } catch (error) {
        this.fail(error)
        return
      }
      if (body) this.write(correlationId, body, options.taggedHeader === true)
      if (options.thenClose) this.socket.end()
    })
  }

  private write(correlationId: number, body: Encoder, taggedHeader: boolean): void {
    if (this.closed) return
    const chunks = body.toChunks()
    // Size, then response header v0 (the correlation id) or v1 (and zero tagged fields).
    const prefix = Buffer.alloc(taggedHeader ? 9 : 8)
    prefix.writeInt32BE(body.length + prefix.length - 4, 0)
    prefix.writeInt32BE(correlationId, 4)
    // Responses that become ready while the event loop reads pipelined requests (libuv reads a
    // socket several times per turn) are held corked and leave in one writev after that turn.
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      setImmediate(this.uncork)
    }
    this.socket.write(prefix)
    for (const chunk of chunks) this.socket.write(chunk)
  }

  private readonly uncork = (): void => {
    this.corked = false
    this.socket.uncork()
    // A client that does not read its responses stops being read from, so memory stays bounded.
    if (this.socket.writableNeedDrain && !this.socket.isPaused()) {
      this.socket.pause()
      this.socket.once('drain', () => this.socket.resume())
    }
  }

  private fail(error: unknown): void {
    if (error instanceof MalformedFrameError)
      this.broker.logger.log('warn', 'connection closed: malformed request', {
        client: this.clientHost,
        detail: error.message,
      })
    else
      this.broker.logger.log('error', 'request failed', {
        client: this.clientHost,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      })
    this.close()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
  }
}
