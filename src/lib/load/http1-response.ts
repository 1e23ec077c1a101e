// An incremental parser for HTTP/1.1 responses (RFC 9112), only as much as a load generator on a
// keep-alive connection needs: the status, whether the connection may be reused, a Retry-After and
// a Keep-Alive timeout hint, and where the body ends (Content-Length, chunked, or the connection's
// close). The body is kept only when asked for. It works on the bytes where they arrived, and copies
// only what it keeps (a body asked for, a head cut by a TCP read), so the caller may read every
// response into the same buffer.

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
const COLON = 58
const MAX_HEAD_BYTES = 64 * 1024

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
  private contentLength = -1
  private chunked = false
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
    return this.bodyChunks.length === 1
      ? this.bodyChunks[0]!.toString('utf8')
      : Buffer.concat(this.bodyChunks).toString('utf8')
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
    if (this.bodyChunks && length > 0) this.bodyChunks.push(Buffer.from(chunk.subarray(at, at + length)))
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
    if (this.partialHead) {
      buffer = Buffer.concat([this.partialHead, chunk.subarray(at)])
      start = 0
    }
    const end = this.parseHead(buffer, start)
    if (end < 0) {
      if (buffer.length - start > MAX_HEAD_BYTES) throw new HttpParseError('response head larger than 64 KiB')
      this.partialHead = buffer === chunk ? Buffer.from(chunk.subarray(start)) : buffer.subarray(start)
      return -1
    }
    const next = this.partialHead ? at + end - this.partialHead.length : end
    this.partialHead = undefined
    // An interim response (103 Early Hints) is skipped: the real one follows.
    if (this.status < 200) this.reset(this.bodyChunks !== undefined, this.hasBody)
    else this.startBody()
    return next
  }

  /**
   * Parses the head in place, on the bytes: the status line, then the few headers that matter.
   * Returns the offset after the blank line that ends it, or -1 when that is not in `buffer` yet.
   */
  private parseHead(buffer: Buffer, start: number): number {
    // HTTP/1.x SP status-code SP [reason]
    if (buffer.length - start < 13) return -1
    if (!startsWithHttp1(buffer, start) || buffer[start + 8] !== 32)
      throw new HttpParseError(
        `not an HTTP/1.x status line: ${JSON.stringify(buffer.toString('latin1', start, start + 40))}`,
      )
    const status = digit(buffer[start + 9]!) * 100 + digit(buffer[start + 10]!) * 10 + digit(buffer[start + 11]!)
    if (!(status >= 100))
      throw new HttpParseError(`malformed status code: ${JSON.stringify(buffer.toString('latin1', start, start + 40))}`)
    this.status = status
    this.keepAlive = buffer[start + 7] !== 48 // HTTP/1.0 closes unless it says keep-alive
    this.retryAfter = undefined
    this.keepAliveTimeoutMs = undefined
    this.contentLength = -1
    this.chunked = false
    let lineStart = buffer.indexOf(LF, start + 12) + 1
    if (lineStart === 0) return -1
    for (;;) {
      let lineEnd = lineStart
      let colon = -1
      while (lineEnd < buffer.length && buffer[lineEnd] !== LF) {
        if (colon < 0 && buffer[lineEnd] === COLON) colon = lineEnd
        lineEnd++
      }
      if (lineEnd === buffer.length) return -1
      const valueEnd = trimEnd(buffer, lineStart, lineEnd)
      if (valueEnd === lineStart) return lineEnd + 1
      if (colon > lineStart) this.header(buffer, lineStart, colon, skipSpaces(buffer, colon + 1, valueEnd), valueEnd)
      lineStart = lineEnd + 1
    }
  }

  /** One header line; only the names that decide framing, reuse and retries are looked at. */
  private header(buffer: Buffer, name: number, colon: number, value: number, valueEnd: number): void {
    switch (colon - name) {
      case 14:
        if (!equalsLower(buffer, name, 'content-length')) return
        this.contentLength = 0
        for (let at = value; at < valueEnd; at++) {
          const byte = buffer[at]!
          if (byte < 48 || byte > 57 || this.contentLength > 1e15)
            throw new HttpParseError(`malformed content-length: ${buffer.toString('latin1', value, valueEnd)}`)
          this.contentLength = this.contentLength * 10 + byte - 48
        }
        if (value === valueEnd) throw new HttpParseError('empty content-length')
        return
      case 17:
        if (equalsLower(buffer, name, 'transfer-encoding'))
          this.chunked = valueEnd - value >= 7 && equalsLower(buffer, valueEnd - 7, 'chunked')
        return
      case 10:
        if (equalsLower(buffer, name, 'connection')) {
          // The usual values first, without making a string of them.
          if (valueEnd - value === 10 && equalsLower(buffer, value, 'keep-alive')) this.keepAlive = true
          else if (valueEnd - value === 5 && equalsLower(buffer, value, 'close')) this.keepAlive = false
          else this.connectionTokens(buffer.toString('latin1', value, valueEnd).toLowerCase())
        } else if (equalsLower(buffer, name, 'keep-alive'))
          this.keepAliveTimeoutMs = keepAliveTimeout(buffer, value, valueEnd)
        return
      case 11:
        if (equalsLower(buffer, name, 'retry-after')) this.retryAfter = buffer.toString('latin1', value, valueEnd)
    }
  }

  private connectionTokens(tokens: string): void {
    if (tokens.includes('close')) this.keepAlive = false
    else if (tokens.includes('keep-alive')) this.keepAlive = true
  }

  private startBody(): void {
    const status = this.status
    if (!this.hasBody || status === 204 || status === 304) this.state = State.Done
    else if (this.chunked) this.startChunk()
    else if (this.contentLength >= 0) {
      this.remaining = this.contentLength
      this.state = this.contentLength === 0 ? State.Done : State.LengthBody
    } else {
      this.state = State.UntilClose
      this.keepAlive = false
    }
  }
}

const HTTP_1 = Buffer.from('HTTP/1.')

function startsWithHttp1(buffer: Buffer, at: number): boolean {
  for (let index = 0; index < 7; index++) if (buffer[at + index] !== HTTP_1[index]) return false
  return true
}

function digit(byte: number): number {
  return byte >= 48 && byte <= 57 ? byte - 48 : Number.NaN
}

/** Header names compared without case: ASCII letters differ only in bit 0x20. */
function equalsLower(buffer: Buffer, at: number, lower: string): boolean {
  for (let index = 0; index < lower.length; index++)
    if ((buffer[at + index]! | 0x20) !== lower.charCodeAt(index)) return false
  return true
}

/** The end of a line without its CR and trailing spaces or tabs. */
function trimEnd(buffer: Buffer, start: number, end: number): number {
  while (end > start && (buffer[end - 1] === CR || buffer[end - 1] === 32 || buffer[end - 1] === 9)) end--
  return end
}

function skipSpaces(buffer: Buffer, at: number, end: number): number {
  while (at < end && (buffer[at] === 32 || buffer[at] === 9)) at++
  return at
}

/** `timeout=N` in a Keep-Alive value (RFC 2068 §19.7.1.1), in ms. */
function keepAliveTimeout(buffer: Buffer, value: number, end: number): number | undefined {
  for (let at = value; at + 8 <= end; at++) {
    if (!equalsLower(buffer, at, 'timeout=')) continue
    let seconds = 0
    let digits = 0
    for (let index = at + 8; index < end && buffer[index]! >= 48 && buffer[index]! <= 57; index++, digits++)
      seconds = seconds * 10 + buffer[index]! - 48
    return digits > 0 ? seconds * 1000 : undefined
  }
  return undefined
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48
  if (byte >= 97 && byte <= 102) return byte - 87
  if (byte >= 65 && byte <= 70) return byte - 55
  return -1
}
