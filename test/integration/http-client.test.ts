// The load client against real node:http and raw TCP servers: keep-alive reuse, chunked bodies,
// connections lost mid-response or closed while idle, timeouts, 429 with Retry-After, waiting for
// a busy connection, and TLS.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import https from 'node:https'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {HttpTarget, type AttemptResult, type HttpAttempt} from '../../src/lib/load/http-client.js'
import {readBody, serverPerTest} from '../helpers/http-servers.js'

const serve = serverPerTest()
let targets: HttpTarget[] = []
const closers: Array<() => void> = []
afterEach(async () => {
  await Promise.all(targets.map((target) => target.close()))
  targets = []
  for (const close of closers.splice(0)) close()
})

function target(url: string, connections = 4): HttpTarget {
  const created = new HttpTarget(url, {connections})
  targets.push(created)
  return created
}

function send(
  on: HttpTarget,
  attempt: HttpAttempt,
  {timeoutMs = 5000, captureBody = true} = {},
): Promise<AttemptResult> {
  return new Promise((resolve) => on.send(attempt, timeoutMs, captureBody, resolve))
}

/** A raw TCP server, for behaviour node:http will not produce. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{url: string; connections: () => number}> {
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    socket.on('error', () => {}) // the client under test hangs up abruptly on purpose
    onSocket(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => server.close())
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections}
}

describe('HttpTarget', () => {
  it('reuses one keep-alive connection for requests in sequence, and sends method, path, headers and body', async () => {
    let connections = 0
    const seen: string[] = []
    const server = await serve(async (request, response) => {
      seen.push(
        `${request.method} ${request.url} ${request.headers['x-user']} ${request.headers.host} ${await readBody(request)}`,
      )
      response.end(`hello ${request.url}`)
    })
    server.server.on('connection', () => connections++)
    const client = target(`${server.url}/base/`)
    for (let index = 0; index < 5; index++) {
      const result = await send(client, {
        method: 'POST',
        path: `/r/${index}`,
        headers: {'x-user': 'u1', 'content-type': 'text/plain'},
        body: 'hé',
      })
      expect(result).toMatchObject({status: 200, body: `hello /base/r/${index}`})
      expect(result.error).toBeUndefined()
    }
    expect(connections).toBe(1)
    expect(seen[4]).toBe(`POST /base/r/4 u1 ${new URL(server.url).host} hé`)
  })

  it('sends a request without placeholders from its bytes encoded once', async () => {
    const server = await serve((request, response) => response.end(request.headers['x-fixed']))
    const client = target(server.url)
    const fixed: HttpAttempt = {method: 'GET', path: '/same', headers: {'x-fixed': 'yes'}, fixed: true}
    expect(await send(client, fixed)).toMatchObject({status: 200, body: 'yes'})
    expect(await send(client, fixed)).toMatchObject({status: 200, body: 'yes'})
  })

  it('reads chunked bodies written in pieces, with trailers', async () => {
    const server = await serve((request, response) => {
      request.resume()
      response.writeHead(200, {'content-type': 'application/json', trailer: 'x-done'})
      response.write('{"request_id":')
      setTimeout(() => {
        response.write('"abc"}')
        response.addTrailers({'x-done': '1'})
        response.end()
      }, 20)
    })
    const client = target(server.url)
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: '{"request_id":"abc"}'})
    // The connection is still good after the trailers.
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: '{"request_id":"abc"}'})
  })

  it('classifies 4xx, 429 with Retry-After (seconds or a date) and 5xx', async () => {
    const server = await serve((request, response) => {
      request.resume()
      if (request.url === '/missing') return response.writeHead(404).end()
      if (request.url === '/slow-down') return response.writeHead(429, {'retry-after': '2'}).end()
      if (request.url === '/later')
        return response.writeHead(503, {'retry-after': new Date(Date.now() + 60_000).toUTCString()}).end()
      response.writeHead(500).end('boom')
    })
    const client = target(server.url)
    expect(await send(client, {method: 'GET', path: '/missing'})).toMatchObject({status: 404, error: 'http4xx'})
    expect(await send(client, {method: 'GET', path: '/slow-down'})).toMatchObject({
      status: 429,
      error: 'http429',
      retryAfterMs: 2000,
    })
    const later = await send(client, {method: 'GET', path: '/later'})
    expect(later).toMatchObject({status: 503, error: 'http5xx'})
    expect(later.retryAfterMs).toBeGreaterThan(50_000)
    expect(await send(client, {method: 'GET', path: '/other'})).toMatchObject({
      status: 500,
      error: 'http5xx',
      body: 'boom',
    })
  })

  it('times out an attempt with no answer, and the next attempt gets a fresh connection', async () => {
    let connections = 0
    const server = await serve((request, response) => {
      request.resume()
      if (request.url !== '/never') response.end('ok')
    })
    server.server.on('connection', () => connections++)
    const client = target(server.url, 1)
    expect(await send(client, {method: 'GET', path: '/never'}, {timeoutMs: 100})).toMatchObject({
      status: 0,
      error: 'timeout',
      errorCode: 'STREAMCTL_ATTEMPT_TIMEOUT',
    })
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: 'ok'})
    expect(connections).toBe(2)
  })

  it('a connection lost mid-response is a connection error; the next attempt reconnects', async () => {
    const server = await serve((request, response) => {
      request.resume()
      if (request.url === '/ok') return response.end('ok')
      response.writeHead(200, {'content-length': '100'})
      response.write('only part of it', () => response.socket?.destroy())
    })
    const client = target(server.url, 1)
    expect(await send(client, {method: 'GET', path: '/cut'})).toMatchObject({
      status: 0,
      error: 'connection',
      errorCode: 'STREAMCTL_SOCKET_CLOSED',
    })
    expect(await send(client, {method: 'GET', path: '/ok'})).toMatchObject({status: 200, body: 'ok'})
  })

  it('notices a server closing an idle keep-alive connection and opens another', async () => {
    // Answers without a Keep-Alive hint, then closes the connection shortly after each response.
    const server = await rawServer((socket) => {
      socket.on('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
        setTimeout(() => socket.end(), 20)
      })
    })
    const client = target(server.url, 1)
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: 'ok'})
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: 'ok'})
    expect(server.connections()).toBe(2)
  })

  it('reads a body delimited by the connection closing', async () => {
    const server = await rawServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it'))
    })
    const client = target(server.url, 1)
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: 'all of it'})
    expect(await send(client, {method: 'GET', path: '/'})).toMatchObject({status: 200, body: 'all of it'})
    expect(server.connections()).toBe(2)
  })

  it('queues attempts beyond its connections until one is free', async () => {
    let connections = 0
    const server = await serve((request, response) => {
      request.resume()
      setTimeout(() => response.end(request.url), 10)
    })
    server.server.on('connection', () => connections++)
    const client = target(server.url, 2)
    const results = await Promise.all(
      Array.from({length: 6}, (_, index) => send(client, {method: 'GET', path: `/${index}`})),
    )
    expect(results.map((result) => result.body)).toEqual(['/0', '/1', '/2', '/3', '/4', '/5'])
    expect(connections).toBe(2)
  })

  it('reports a refused connection and a garbled response as connection errors', async () => {
    const closed = await rawServer(() => {})
    const port = new URL(closed.url).port
    closers.splice(0).forEach((close) => close())
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await send(target(`http://127.0.0.1:${port}`), {method: 'GET', path: '/'})).toMatchObject({
      status: 0,
      error: 'connection',
      errorCode: 'ECONNREFUSED',
    })
    const garbled = await rawServer((socket) => socket.once('data', () => socket.write('SSH-2.0-OpenSSH\r\n\r\n')))
    expect(await send(target(garbled.url), {method: 'GET', path: '/'})).toMatchObject({
      status: 0,
      error: 'connection',
      errorCode: 'STREAMCTL_HTTP_PARSE',
    })
  })

  it('speaks TLS to https:// targets and verifies their certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'streamctl-tls-'))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      {stdio: 'ignore'},
    )
    let requests = 0
    const server = https.createServer(
      {key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem'))},
      (_request, response) => {
        requests++
        response.end('secret')
      },
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const result = await send(target(`https://localhost:${(server.address() as AddressInfo).port}`), {
      method: 'GET',
      path: '/',
    })
    // A self-signed certificate is refused, as it would be by any client that verifies.
    expect(result).toMatchObject({status: 0, error: 'connection', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT'})
    expect(requests).toBe(0)
  })
})
