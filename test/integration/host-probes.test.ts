// The doctor's wire probes against the real PostgreSQL, Redis and RabbitMQ on this machine.
import http from 'node:http'
import net from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {probeAmqp, probePostgres, probeRedis} from '../../src/lib/host/probes.js'
import {freePort, isPortFree, portOwner} from '../../src/lib/host/ports.js'

describe('server probes', () => {
  it('identifies PostgreSQL and its version', async () => {
    const result = await probePostgres('127.0.0.1', 5432)
    expect(result.answers).toBe(true)
    expect(result.version).toMatch(/^PostgreSQL \d+\.\d+/)
  })

  it('identifies Redis and its version', async () => {
    const result = await probeRedis('127.0.0.1', 6379)
    expect(result).toMatchObject({answers: true, version: expect.stringMatching(/^Redis \d+\.\d+\.\d+$/)})
  })

  it('identifies RabbitMQ and its version from Connection.Start', async () => {
    const result = await probeAmqp('127.0.0.1', 5672)
    expect(result).toMatchObject({answers: true, version: expect.stringMatching(/^RabbitMQ \d+\.\d+\.\d+$/)})
  })

  it('reports a closed port as not answering', async () => {
    const port = await freePort()
    for (const probe of [probePostgres, probeRedis, probeAmqp]) {
      expect(await probe('127.0.0.1', port)).toEqual({answers: false, note: 'connection refused'})
    }
  })

  describe('against a server that speaks something else', () => {
    let server: http.Server
    let port: number
    beforeAll(async () => {
      server = http.createServer((_request, response) => response.end('hello'))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as net.AddressInfo).port
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it('does not mistake an HTTP server for PostgreSQL, Redis or RabbitMQ', async () => {
      for (const probe of [probePostgres, probeRedis, probeAmqp]) {
        const result = await probe('127.0.0.1', port)
        expect(result.answers).toBe(false)
      }
    })
  })
})

describe('ports', () => {
  it('knows a listening port is taken and by which process', async () => {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as net.AddressInfo
    try {
      expect(await isPortFree(port)).toBe(false)
      expect(await portOwner(port)).toMatchObject({pid: process.pid})
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    expect(await isPortFree(port)).toBe(true)
    expect(await portOwner(port)).toBeUndefined()
  })
})
