// /readyz of every service (http/server.ts): 200 when each named check passes, otherwise 503
// naming the ones that do not (a check that throws counts as not passing), and the CLI's health
// probe (lib/stack/health.ts) says what a service waits for instead of quoting its body.
import {afterEach, describe, expect, it} from 'vitest'
import {checkHealth} from '../../src/lib/stack/health.js'
import {Router} from '../../src/services/http/router.js'
import {startHttpServer, type RunningHttpServer} from '../../src/services/http/server.js'
import {ServiceMetrics} from '../../src/services/telemetry/metrics.js'

const quiet = {info: () => {}, warn: () => {}, error: () => {}}

describe('/readyz', () => {
  let server: RunningHttpServer | undefined
  afterEach(async () => server?.close(1000))

  it('names the checks that do not pass, and turns ready once they all do', async () => {
    const state = {redis: false, amqp: false}
    server = await startHttpServer({
      service: 'demo',
      router: new Router(),
      metrics: new ServiceMetrics('demo'),
      log: quiet,
      host: '127.0.0.1',
      port: 0,
      maxInFlight: 10,
      maxBodyBytes: 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      ready: {
        redis: () => state.redis,
        'rabbitmq-publisher': () => state.amqp,
        broken: () => {
          throw new Error('cannot tell')
        },
      },
    })
    const readyz = async () => {
      const response = await fetch(`${server!.url}/readyz`)
      return {status: response.status, body: (await response.json()) as {waiting_for?: string[]}}
    }
    expect(await readyz()).toEqual({
      status: 503,
      body: {status: 'not ready', service: 'demo', waiting_for: ['redis', 'rabbitmq-publisher', 'broken']},
    })
    expect(await checkHealth({kind: 'service', health: '/readyz'}, '127.0.0.1', server.port)).toEqual({
      healthy: false,
      detail: 'not ready: waiting for redis, rabbitmq-publisher, broken',
    })
    state.redis = true
    state.amqp = true
    expect((await readyz()).body.waiting_for).toEqual(['broken'])
  })

  it('is ready with no checks, and the probe says so', async () => {
    server = await startHttpServer({
      service: 'plain',
      router: new Router(),
      metrics: new ServiceMetrics('plain'),
      log: quiet,
      host: '127.0.0.1',
      port: 0,
      maxInFlight: 10,
      maxBodyBytes: 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      ready: {},
    })
    const response = await fetch(`${server.url}/readyz`)
    expect({status: response.status, body: await response.json()}).toEqual({
      status: 200,
      body: {status: 'ready', service: 'plain'},
    })
    expect(await checkHealth({kind: 'service', health: '/readyz'}, '127.0.0.1', server.port)).toEqual({
      healthy: true,
      detail: 'ready',
    })
  })
})
