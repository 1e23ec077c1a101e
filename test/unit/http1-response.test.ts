// The load client's HTTP/1.1 response parser on captured bytes, fed whole and split at every byte,
// since TCP may cut a response anywhere.
import {describe, expect, it} from 'vitest'
import {HttpParseError, ResponseParser} from '../../src/lib/load/http1-response.js'

/** Feeds `bytes` in pieces cut at `cuts`; returns the parser and where the response ended in the last piece. */
function parse(text: string, cuts: number[] = [], options = {captureBody: true, hasBody: true}) {
  const bytes = Buffer.from(text, 'latin1')
  const parser = new ResponseParser()
  parser.reset(options.captureBody, options.hasBody)
  let start = 0
  let end = -1
  for (const cut of [...cuts, bytes.length]) {
    const piece = bytes.subarray(start, cut)
    end = parser.execute(piece)
    if (end >= 0) return {parser, end, consumed: start + end}
    start = cut
  }
  return {parser, end, consumed: -1}
}

const everyCut = (text: string) => Array.from({length: text.length - 1}, (_, index) => [index + 1])

const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5;ext=1\r\n{"a":\r\nA\r\n"bcdefghi"\r\n1\r\n}\r\n0\r\nX-Trailer: yes\r\n\r\n'

describe('ResponseParser', () => {
  it('reads a Content-Length body, the status and keep-alive', () => {
    const response = 'HTTP/1.1 201 Created\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\nhello'
    const {parser, consumed} = parse(response)
    expect(parser.done).toBe(true)
    expect(consumed).toBe(response.length)
    expect(parser.status).toBe(201)
    expect(parser.keepAlive).toBe(true)
    expect(parser.keepAliveTimeoutMs).toBe(5000)
    expect(parser.body()).toBe('hello')
  })

  it('decodes a chunked body with extensions and trailers, however the bytes are split', () => {
    for (const cuts of [[], ...everyCut(CHUNKED)]) {
      const {parser, consumed} = parse(CHUNKED, cuts)
      expect(consumed, `cut at ${cuts}`).toBe(CHUNKED.length)
      expect(parser.body(), `cut at ${cuts}`).toBe('{"a":"bcdefghi"}')
    }
  })

  it('does not keep the body unless asked', () => {
    const {parser, consumed} = parse(CHUNKED, [], {captureBody: false, hasBody: true})
    expect(consumed).toBe(CHUNKED.length)
    expect(parser.body()).toBeUndefined()
  })

  it('reads Retry-After and Connection: close', () => {
    const {parser} = parse(
      'HTTP/1.1 429 Too Many Requests\r\nretry-after: 3\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
    )
    expect(parser.status).toBe(429)
    expect(parser.retryAfter).toBe('3')
    expect(parser.keepAlive).toBe(false)
  })

  it('reads node:http heads: any case, spaces around values, a Keep-Alive timeout among other parameters', () => {
    const head =
      'HTTP/1.0 200 OK\r\nDate: Wed, 25 Nov 2026 04:00:00 GMT\r\nCONNECTION:Keep-Alive \r\nkeep-alive: max=100, Timeout=7\r\nContent-length:   3\r\nX-Other: a:b\r\n\r\nabc'
    for (const cuts of [[], ...everyCut(head)]) {
      const {parser, consumed} = parse(head, cuts)
      expect(consumed, `cut at ${cuts}`).toBe(head.length)
      expect(parser).toMatchObject({status: 200, keepAlive: true, keepAliveTimeoutMs: 7000})
      expect(parser.body()).toBe('abc')
    }
    expect(parse('HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(
      false,
    )
  })

  it('ends a body without length at the close of the connection, and never reuses it', () => {
    const {parser, end} = parse('HTTP/1.0 200 OK\r\n\r\npartial')
    expect(end).toBe(-1)
    expect(parser.keepAlive).toBe(false)
    expect(parser.endOfStream()).toBe(true)
    expect(parser.body()).toBe('partial')
  })

  it('knows a truncated Content-Length body is not complete at the close', () => {
    const {parser, end} = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
    expect(end).toBe(-1)
    expect(parser.started).toBe(true)
    expect(parser.endOfStream()).toBe(false)
  })

  it('expects no body after HEAD, 204 and 304, and skips interim 1xx responses', () => {
    expect(
      parse('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', [], {captureBody: false, hasBody: false}).parser.done,
    ).toBe(true)
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').parser.done).toBe(true)
    const early = parse(
      'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    )
    expect(early.parser.status).toBe(200)
    expect(early.parser.body()).toBe('ok')
  })

  it('tells where the response ends when more bytes follow it', () => {
    const {end} = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1')
    expect(end).toBe(40)
  })

  it('rejects what is not an HTTP/1.x response', () => {
    expect(() => parse('SSH-2.0-OpenSSH_9.2\r\n\r\n')).toThrow(HttpParseError)
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toThrow(HttpParseError)
    expect(() => parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow(HttpParseError)
  })
})
