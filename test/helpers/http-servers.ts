// Real HTTP servers on port 0 for load-engine tests: each test builds the behaviour it needs
// (stalls, timeouts, 429s with Retry-After) and closes the server after.
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach} from 'vitest'
import {YamlSource} from '../../src/lib/yaml/source.js'
import {parseProfile} from '../../src/lib/load/profile-loader.js'
import type {LoadProfile} from '../../src/lib/load/profile.js'

export interface TestServer {
  url: string
  server: http.Server
  close(): Promise<void>
}

export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler)
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A profile from YAML text, validated as a file would be. */
/** A `serve(handler)` for a test file: each server it starts is closed after the test that started it. */
export function serverPerTest(): (handler: http.RequestListener) => Promise<TestServer> {
  let servers: TestServer[] = []
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()))
    servers = []
  })
  return async (handler) => {
    const server = await startServer(handler)
    servers.push(server)
    return server
  }
}

export function profileFrom(yaml: string, name = 'test'): LoadProfile {
  return parseProfile(new YamlSource(`${name}.yaml`, yaml), name)
}

/** Reads a request body to the end. */
export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}
