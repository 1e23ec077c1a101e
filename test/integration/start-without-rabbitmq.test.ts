// Services start while RabbitMQ is unreachable and catch up once it is reachable. The gateway,
// worker and collector get an AMQP_URL through a TCP proxy that refuses connections: each starts,
// answers /healthz but not /readyz (which names what it waits for), and the gateway still accepts generates (stored, left to its
// sweeper, reported in a few warnings rather than one per request). Once the proxy lets RabbitMQ
// through, every service turns ready, the gateway sends what waited at once (not after its grace
// period), and every request completes and settles once. The queue
// consumer's pause and stop also hold before its first channel exists.
import amqp, {type Channel, type ChannelModel, type ConsumeMessage} from 'amqplib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {freePort} from '../../src/lib/host/ports.js'
import {checkHealth} from '../../src/lib/stack/health.js'
import {GatewayRoutes, type RequestStatus} from '../../src/lib/streamflow/api.js'
import type {Logger} from '../../src/services/telemetry/log.js'
import {ServiceMetrics} from '../../src/services/telemetry/metrics.js'
import {consumeQueue} from '../../src/services/amqp/queue-consumer.js'
import {RedisKeys} from '../../src/services/redis/keys.js'
import {
  authorized,
  createInferenceStack,
  generate,
  settledTotals,
  type InferenceStack,
} from '../helpers/inference-stack.js'
import {eventually, startService} from '../helpers/services.js'
import {tcpProxy, type TcpProxy} from '../helpers/sockets.js'

interface LoggedLine {
  level: string
  message: string
  fields: Record<string, unknown>
}

const recordingLogger = (lines: LoggedLine[]): Logger => ({
  info: (message, fields = {}) => void lines.push({level: 'info', message, fields}),
  warn: (message, fields = {}) => void lines.push({level: 'warn', message, fields}),
  error: (message, fields = {}) => void lines.push({level: 'error', message, fields}),
})

describe('services started while RabbitMQ is unreachable', () => {
  let stack: InferenceStack
  let proxy: TcpProxy
  let amqpUrl: string

  beforeAll(async () => {
    stack = await createInferenceStack({users: {roomy: 'roomy'}})
    const port = await freePort()
    // Not opened yet: connections to the port are refused, as when RabbitMQ is down.
    proxy = tcpProxy(port, 5672)
    amqpUrl = `amqp://guest:guest@127.0.0.1:${port}${new URL(stack.vhost.url).pathname}`
  })
  afterAll(async () => {
    await stack?.close()
    await proxy?.cut()
  })

  const status = async (url: string, path: '/healthz' | '/readyz') => (await fetch(`${url}${path}`)).status

  it('start, accept generates, and complete every one once RabbitMQ is reachable', async () => {
    const logs: Record<string, LoggedLine[]> = {}
    const llm = await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '20',
      LLM_LATENCY_MAX_MS: '60',
      LLM_LATENCY_MEDIAN_MS: '40',
      LLM_RPM_LIMIT: '100000',
    })
    const start = async (name: string, extraEnv: Record<string, string> = {}) => {
      logs[name] = []
      const service = await startService(
        name,
        {...stack.env, LLM_SIM_URL: llm.url, AMQP_URL: amqpUrl, ...extraEnv},
        undefined,
        recordingLogger(logs[name]),
      )
      stack.services[name] = service // stopped by stack.close()
      return service.url
    }
    const collector = await start('collector')
    const worker = await start('worker')
    // A grace period longer than the test: only the catch-up sweep on the channel's opening sends them.
    const gateway = await start('gateway', {DISPATCH_SWEEP_MS: '200', DISPATCH_GRACE_MS: '600000'})
    const services = {gateway, worker, collector}

    for (const [name, url] of Object.entries(services)) {
      expect({name, healthz: await status(url, '/healthz'), readyz: await status(url, '/readyz')}).toEqual({
        name,
        healthz: 200,
        readyz: 503,
      })
    }
    // /readyz names what each one waits for, and `streamctl status` / `up` say it.
    const waitingFor = {
      gateway: ['rabbitmq-publisher'],
      worker: ['rabbitmq-consumer', 'rabbitmq-publisher'],
      collector: ['rabbitmq-consumer'],
    }
    for (const [name, url] of Object.entries(services)) {
      const expected = waitingFor[name as keyof typeof waitingFor]
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({
        status: 'not ready',
        service: name,
        waiting_for: expected,
      })
      const {port} = new URL(url)
      expect(await checkHealth({kind: 'service', health: '/readyz'}, '127.0.0.1', Number(port))).toEqual({
        healthy: false,
        detail: `not ready: waiting for ${expected.join(', ')}`,
      })
    }

    const user = stack.users.roomy!
    const accepted = await Promise.all(Array.from({length: 20}, () => generate(gateway, user)))
    expect(accepted.map((result) => result.status)).toEqual(accepted.map(() => 202))
    const ids = accepted.map((result) => result.body.request_id as string)
    // Stored and waiting in the pending-dispatch set; tagging jobs, which need a confirm, get a 503.
    expect(await stack.redis.zcard(RedisKeys.pendingDispatch)).toBe(20)
    const job = await fetch(`${gateway}${GatewayRoutes.taggingJobs('cup-final-highlights')}`, {
      method: 'POST',
      headers: authorized(user),
    })
    expect(job.status).toBe(503)

    // Every request left to the sweeper is reported, in a few aggregated warnings.
    const notQueued = () => logs.gateway!.filter((line) => line.message.startsWith('requests not queued yet'))
    await eventually(
      async () => (notQueued().reduce((sum, line) => sum + Number(line.fields.requests), 0) === 20 ? true : undefined),
      10_000,
      'the gateway to report the 20 requests not queued',
    )
    expect(notQueued().length).toBeLessThan(10)
    // A few sweep intervals later, still unreachable: nothing sent, nothing lost, still not ready.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await stack.redis.zcard(RedisKeys.pendingDispatch)).toBe(20)
    expect(await status(gateway, '/readyz')).toBe(503)
    // (The gateway's Kafka producer, with no broker in this test, warns on its own.)
    for (const name of ['gateway', 'worker', 'collector'])
      expect(
        logs[name]!.filter((line) => line.level === 'warn' && !line.message.startsWith('kafka:')).length,
      ).toBeLessThan(10)

    await proxy.open()
    for (const [name, url] of Object.entries(services))
      await eventually(
        async () => ((await status(url, '/readyz')) === 200 ? true : undefined),
        30_000,
        `the ${name} to be ready`,
      )
    expect(await (await fetch(`${gateway}/readyz`)).json()).toEqual({status: 'ready', service: 'gateway'})

    const done = await Promise.all(
      ids.map((id) =>
        eventually(
          async () => {
            const body = (await (
              await fetch(`${gateway}${GatewayRoutes.request(id)}`, {headers: authorized(user)})
            ).json()) as RequestStatus
            return body.status === 'completed' ? body : undefined
          },
          60_000,
          `request ${id} to complete`,
        ),
      ),
    )
    for (const body of done) expect(body.usage?.total_tokens).toBeGreaterThan(0)
    expect(
      logs
        .gateway!.filter((line) => line.message.startsWith('dispatch caught up'))
        .map((line) => line.fields.republished),
    ).toEqual([20])
    const totals = await settledTotals(stack, 30_000)
    expect(totals.reserved).toBe(0)
    expect(totals.used).toBe(totals.usageLogSum)
    const rows = await stack.pg.query<{n: number}>('SELECT count(*)::int AS n FROM usage_log')
    expect(rows.rows[0]!.n).toBe(20)
    expect(await stack.redis.zcard(RedisKeys.pendingDispatch)).toBe(0)
  }, 180_000)

  it('keeps a pause asked for before the first channel, and stops at once without one', async () => {
    await proxy.cut()
    const queue = 'start-without-rabbitmq'
    const connections: ChannelModel[] = []
    const channels = async (): Promise<Channel> => {
      const connection = await amqp.connect(amqpUrl)
      connections.push(connection)
      connection.on('error', () => {}) // the broker's closing the connection is what the test provokes
      const channel = await connection.createChannel()
      await channel.assertQueue(queue, {durable: false})
      return channel
    }
    const options = {
      prefetch: 4,
      log: recordingLogger([]),
      metrics: new ServiceMetrics('test'),
      retry: {baseMs: 100, maxMs: 400},
    }
    const handled: string[] = []
    const handle = async (message: ConsumeMessage) => {
      handled.push(message.content.toString())
      return 'ack' as const
    }
    try {
      // Stopped before it ever had a channel: it does not wait for one.
      const never = await consumeQueue(channels, queue, options, handle)
      expect(never.consuming).toBe(false)
      const stopStarted = Date.now()
      await never.stop(1000)
      expect(Date.now() - stopStarted).toBeLessThan(2000)

      const consumer = await consumeQueue(channels, queue, options, handle)
      expect(consumer.consuming).toBe(false)
      await consumer.pause()
      await proxy.open()
      await eventually(async () => (consumer.consuming ? true : undefined), 15_000, 'the consumer to get a channel')
      const publisher = await amqp.connect(stack.vhost.url)
      try {
        const channel = await publisher.createConfirmChannel()
        channel.sendToQueue(queue, Buffer.from('held'))
        await channel.waitForConfirms()
        await new Promise((resolve) => setTimeout(resolve, 1000))
        expect(handled).toEqual([])
        await consumer.resume()
        await eventually(async () => (handled.length === 1 ? true : undefined), 10_000, 'the message once resumed')
        expect(handled).toEqual(['held'])
      } finally {
        await publisher.close()
      }
      await consumer.stop(1000)
    } finally {
      for (const connection of connections) await connection.close().catch(() => {}) // cleanup; a closed connection is fine
    }
  }, 60_000)
})
