// An incremental parser for HTTP/1.1 responses (RFC 9112), only as much as a load generator on a
// keep-alive connection needs: the status, whether the connection may be reused, a Retry-After and
// a Keep-Alive timeout hint, and where the body ends (Content-Length, chunked, or the connection's
// close). The body is kept only when asked for. It works on the socket's buffers as they arrive,
// without copying them, so a response in one TCP read costs one short latin1 string for its head.

export class HttpParseError extends Error {
  override readonly name = 'HttpParseError'
  readonly code = 'STREAMCTL_HTTP_PARSE'
}

const enum State {
  Head,
  LengthBody,
  ChunkSize,
  ChunkExtension,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const CR = 13
const LF = 10
const MAX_HEAD_BYTES = 64 * 1024
const HEAD_END = Buffer.from('\r\n\r\n')

export class ResponseParser {
  status = 0
  /** The connection may carry another request after this response. */
  keepAlive = true
  /** Raw Retry-After value, when the response had one. */
  retryAfter: string | undefined
  /** From `Keep-Alive: timeout=N`: how long (ms) the server keeps the connection idle. */
  keepAliveTimeoutMs: number | undefined
  private state = State.Done
  private partialHead: Buffer | undefined
  /** Body bytes still expected: of the Content-Length, or of the current chunk. */
  private remaining = 0
  private chunkSizeDigits = 0
  private trailerLineBytes = 0
  private hasBody = true
  private bodyChunks: Buffer[] | undefined

  /** Starts on the next response; `hasBody` is false for the answer to a HEAD request. */
  reset(captureBody: boolean, hasBody: boolean): void {
    this.status = 0
    this.keepAlive = true
    this.retryAfter = undefined
    this.keepAliveTimeoutMs = undefined
    this.state = State.Head
    this.partialHead = undefined
    this.hasBody = hasBody
    this.bodyChunks = captureBody ? [] : undefined
  }

  get done(): boolean {
    return this.state === State.Done
  }

  /** Whether any byte of the response has arrived. */
  get started(): boolean {
    return this.state !== State.Head || this.partialHead !== undefined
  }

  /** The captured body, as text. */
  body(): string | undefined {
    if (!this.bodyChunks) return undefined
    return this.bodyChunks.length === 1 ? this.bodyChunks[0]!.toString('utf8') : Buffer.concat(this.bodyChunks).toString('utf8')
  }

  /**
   * Consumes `chunk` from `offset`; returns where the response ended in it, or -1 when it needs
   * more bytes. Throws HttpParseError on what is not an HTTP/1.x response.
   */
  execute(chunk: Buffer, offset = 0): number {
    let at = offset
    while (at < chunk.length || this.state === State.Done) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(chunk, at)
          if (at < 0) return -1
          break
        case State.LengthBody: {
          const take = Math.min(this.remaining, chunk.length - at)
          this.keep(chunk, at, take)
          at += take
          this.remaining -= take
          if (this.remaining === 0) this.state = State.Done
          break
        }
        case State.ChunkSize: {
          const byte = chunk[at++]!
          const digit = hexValue(byte)
          if (digit >= 0) {
            if (++this.chunkSizeDigits > 12) throw new HttpParseError('chunk size too large')
            this.remaining = this.remaining * 16 + digit
          } else if (this.chunkSizeDigits === 0) throw new HttpParseError('malformed chunk size')
          else if (byte === LF) this.endChunkSize()
          else this.state = State.ChunkExtension
          break
        }
        case State.ChunkExtension:
          if (chunk[at++] === LF) this.endChunkSize()
          break
        case State.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - at)
          this.keep(chunk, at, take)
          at += take
          this.remaining -= take
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd
            this.remaining = 2
          }
          break
        }
        case State.ChunkDataEnd:
          // The CRLF after a chunk's data.
          at++
          if (--this.remaining === 0) this.startChunk()
          break
        case State.Trailers: {
          const byte = chunk[at++]!
          if (byte === LF) {
            if (this.trailerLineBytes === 0) this.state = State.Done
            this.trailerLineBytes = 0
          } else if (byte !== CR) this.trailerLineBytes++
          break
        }
        case State.UntilClose:
          this.keep(chunk, at, chunk.length - at)
          at = chunk.length
          break
        case State.Done:
          return at
      }
    }
    return -1
  }

  /** The connection closed: true when that completes the response (a body delimited by the close). */
  endOfStream(): boolean {
    if (this.state !== State.UntilClose) return false
    this.state = State.Done
    return true
  }

  private keep(chunk: Buffer, at: number, length: number): void {
    if (this.bodyChunks && length > 0) this.bodyChunks.push(chunk.subarray(at, at + length))
  }

  private startChunk(): void {
    this.state = State.ChunkSize
    this.remaining = 0
    this.chunkSizeDigits = 0
  }

  private endChunkSize(): void {
    if (this.remaining > 0) this.state = State.ChunkData
    else {
      this.state = State.Trailers
      this.trailerLineBytes = 0
    }
  }

  /** Reads the status line and headers; returns the offset after them, or -1 if they are not all here. */
  private readHead(chunk: Buffer, at: number): number {
    let buffer = chunk
    let start = at
    let searchFrom = at
    if (this.partialHead) {
      searchFrom = Math.max(0, this.partialHead.length - 3)
      buffer = Buffer.concat([this.partialHead, chunk.subarray(at)])
      start = 0
    }
    const end = buffer.indexOf(HEAD_END, searchFrom)
    if (end < 0) {
      if (buffer.length - start > MAX_HEAD_BYTES) throw new HttpParseError('response head larger than 64 KiB')
      this.partialHead = buffer.subarray(start)
      return -1
    }
    const next = this.partialHead ? at + end + 4 - this.partialHead.length : end + 4
    this.partialHead = undefined
    this.parseHead(buffer.toString('latin1', start, end))
    // An interim response (103 Early Hints) is skipped: the real one follows.
    if (this.status < 200) this.reset(this.bodyChunks !== undefined, this.hasBody)
    return next
  }

  private parseHead(head: string): void {
    // HTTP/1.x SP status-code SP [reason]
    if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) throw new HttpParseError(`not an HTTP/1.x status line: ${JSON.stringify(head.slice(0, 40))}`)
    const status = Number(head.slice(9, 12))
    if (!Number.isInteger(status) || status < 100) throw new HttpParseError(`malformed status code: ${JSON.stringify(head.slice(0, 40))}`)
    this.status = status
    this.keepAlive = head.charCodeAt(7) !== 48 // HTTP/1.0 closes unless it says keep-alive
    let contentLength = -1
    let chunked = false
    let lineStart = head.indexOf('\r\n') + 2
    while (lineStart > 1 && lineStart < head.length) {
      let lineEnd = head.indexOf('\r\n', lineStart)
      if (lineEnd < 0) lineEnd = head.length
      const colon = head.indexOf(':', lineStart)
      if (colon > lineStart && colon < lineEnd) {
        const nameLength = colon - lineStart
        // Only these names matter; the length check keeps the others from being lower-cased.
        if (nameLength === 14 || nameLength === 17 || nameLength === 10 || nameLength === 11) {
          const name = head.slice(lineStart, colon).toLowerCase()
          const value = head.slice(colon + 1, lineEnd).trim()
          if (name === 'content-length') {
            contentLength = Number(value)
            if (!Number.isSafeInteger(contentLength) || contentLength < 0) throw new HttpParseError(`malformed content-length: ${value}`)
          } else if (name === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked')
          else if (name === 'connection') {
            const tokens = value.toLowerCase()
            if (tokens.includes('close')) this.keepAlive = false
            else if (tokens.includes('keep-alive')) this.keepAlive = true
          } else if (name === 'keep-alive') {
            const timeout = /timeout\s*=\s*(\d+)/i.exec(value)
            if (timeout) this.keepAliveTimeoutMs = Number(timeout[1]) * 1000
          } else if (name === 'retry-after') this.retryAfter = value
        }
      }
      lineStart = lineEnd + 2
    }
    if (status < 200) return
    if (!this.hasBody || status === 204 || status === 304) this.state = State.Done
    else if (chunked) this.startChunk()
    else if (contentLength >= 0) {
      this.remaining = contentLength
      this.state = contentLength === 0 ? State.Done : State.LengthBody
    } else {
      this.state = State.UntilClose
      this.keepAlive = false
    }
  }
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48
  if (byte >= 97 && byte <= 102) return byte - 87
  if (byte >= 65 && byte <= 70) return byte - 55
  return -1
}
