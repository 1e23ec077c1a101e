// A raw TCP client for what fetch cannot send: pipelined requests, duplicated headers, bytes that
// are not HTTP, headers dripped byte by byte. Responses are parsed as they arrive, in order.
import net from 'node:net'
import {ResponseParser} from '../../src/lib/load/http1-response.js'

export interface RawResponse {
  status: number
  body: string
}

export interface RawConnection {
  socket: net.Socket
  /** Every complete response so far, in the order they arrived. */
  responses: RawResponse[]
  /** Resolves when the server has closed the connection (or it was destroyed). */
  closed: Promise<void>
  /** Waits until `count` responses have arrived or the connection closed; at most timeoutMs. */
  responsesUntil(count: number, timeoutMs?: number): Promise<RawResponse[]>
}

export async function rawConnection(url: string): Promise<RawConnection> {
  const {hostname, port} = new URL(url)
  const socket = net.connect(Number(port), hostname)
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  socket.setNoDelay(true)
  socket.on('error', () => {}) // a reset by the server shows as `closed`, which the tests assert on
  const responses: RawResponse[] = []
  const parser = new ResponseParser()
  parser.reset(true, true)
  let waiters: Array<() => void> = []
  const wake = () => {
    for (const waiter of waiters) waiter()
    waiters = []
  }
  socket.on('data', (chunk: Buffer) => {
    let offset = 0
    while (offset < chunk.length) {
      const end = parser.execute(chunk, offset)
      if (end < 0) break
      responses.push({status: parser.status, body: parser.body() ?? ''})
      parser.reset(true, true)
      offset = end
    }
    wake()
  })
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      // A response without a length ends with the connection.
      if (parser.endOfStream()) responses.push({status: parser.status, body: parser.body() ?? ''})
      wake()
      resolve()
    }),
  )
  return {
    socket,
    responses,
    closed,
    async responsesUntil(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (responses.length < count && !socket.destroyed && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 100)
        })
      }
      return responses
    },
  }
}

/** The request text of one generate (HTTP/1.1, keep-alive), with extra header lines if given. */
export function generateRequest(
  apiKey: string,
  body: unknown = {prompt: 'hi', max_tokens: 8},
  extraHeaders: string[] = [],
): string {
  const json = JSON.stringify(body)
  return [
    'POST /v1/generate HTTP/1.1',
    'Host: gateway',
    `Authorization: Bearer ${apiKey}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...extraHeaders,
    '',
    json,
  ].join('\r\n')
}
