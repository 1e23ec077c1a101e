// What a running service is made of, and the order it stops in. A service opens what it needs
// through its ServiceRuntime (connections are shared and opened once) and registers consumers with
// onClose; close() then runs in reverse: the HTTP server stops accepting and drains, consumers stop
// and ack or commit what they finished, and connections close last, even one that opened in the
// background after them (RabbitMQ, which a service need not reach at start).
import type {Channel, ChannelModel, ConfirmChannel} from 'amqplib'
import type {Redis} from 'ioredis'
import type {Kafka} from 'kafkajs'
import type pg from 'pg'
import {declareQueues, queueWithDeadLetter} from '../../lib/provision/queues.js'
import type {Queue, StackManifest} from '../../lib/stack/manifest.js'
import {readBaseConfig, type BaseConfig, type Env} from './env.js'
import {openAmqp, openChannel, openConfirmChannel, openKafka, openPostgres, openRedis} from './connections.js'
import {withScripts} from '../quota/quota.js'
import type {Router} from '../http/router.js'
import {startHttpServer, type ReadinessChecks, type RunningHttpServer} from '../http/server.js'
import {createLogger, type Logger} from '../telemetry/log.js'
import {ServiceMetrics} from '../telemetry/metrics.js'
import {reportSwitches, SwitchesStore} from './switches.js'

/** What `serve` hands a service: its name, environment, and the stack it belongs to. */
export interface ServiceContext {
  name: string
  env: Env
  manifest: StackManifest
  stackDir: string
  log?: Logger
}

export interface RunningService {
  name: string
  /** Base URL of its HTTP server. */
  url: string
  /** Further listeners (e.g. gRPC), by name. */
  ports: Record<string, number>
  close(): Promise<void>
}

export interface ServiceDefinition {
  /** The port used when PORT is not set. */
  defaultPort: number
  start(context: ServiceContext): Promise<RunningService>
}

export class ServiceRuntime {
  readonly config: BaseConfig
  readonly metrics: ServiceMetrics
  readonly log: Logger
  private readonly closers: Array<{what: string; close: () => Promise<void>}> = []
  private readonly opened = new Map<string, Promise<unknown>>()
  /** Keys of shared resources whose cleanup is registered. */
  private readonly closable = new Set<string>()
  private server: RunningHttpServer | undefined
  private closing = false

  constructor(
    readonly context: ServiceContext,
    defaultPort: number,
  ) {
    this.config = readBaseConfig(context.env, defaultPort)
    this.log = context.log ?? createLogger(context.name)
    this.metrics = new ServiceMetrics(context.name, process.env.npm_package_version ?? '0.1.0')
  }

  get name(): string {
    return this.context.name
  }

  /** Registers cleanup; cleanups run in reverse order of registration. */
  onClose(what: string, close: () => Promise<void>): void {
    this.closers.push({what, close})
  }

  /**
   * Opens a shared resource once (again after a failed open, or once forgotten), closing it with the
   * service. Its cleanup is registered at the first call, not when an open succeeds: a resource opened
   * in the background (RabbitMQ, reachable only after start) still closes after the consumers and
   * publishers registered after that call. Refused once the service is closing.
   */
  shared<T>(key: string, open: () => Promise<T>, close: (value: T) => Promise<void>): Promise<T> {
    let existing = this.opened.get(key) as Promise<T> | undefined
    if (!existing) {
      if (this.closing) return Promise.reject(new Error(`${this.name} is stopping`))
      const opening = open()
      existing = opening
      opening.catch(() => {
        if (this.opened.get(key) === opening) this.opened.delete(key)
      })
      this.opened.set(key, opening)
      if (!this.closable.has(key)) {
        this.closable.add(key)
        this.onClose(key, async () => {
          const current = this.opened.get(key) as Promise<T> | undefined
          this.opened.delete(key)
          const value = await current?.catch(() => undefined) // an open that failed left nothing to close
          if (value !== undefined) await close(value)
        })
      }
    }
    return existing
  }

  /** The service's pool; `settings` (session settings) apply when the first call opens it. */
  postgres(settings?: Record<string, string>): Promise<pg.Pool> {
    return this.shared(
      'postgres',
      () => openPostgres(this.config.databaseUrl, {applicationName: `streamctl-${this.name}`, settings}),
      (pool) => pool.end(),
    )
  }

  redis(): Promise<Redis> {
    return this.shared(
      'redis',
      async () => withScripts(await openRedis(this.config.redisUrl, this.config.redisKeyPrefix, this.log)),
      async (redis) => void (await redis.quit().catch(() => redis.disconnect())),
    )
  }

  /**
   * The service's RabbitMQ connection. Once it is lost (a broker restart, a network cut) the next
   * call connects again: channels made through ConfirmedPublisher and consumeQueue come back on it.
   */
  amqp(): Promise<ChannelModel> {
    const opening = this.shared(
      'amqp',
      async () => {
        const connection = await openAmqp(this.config.amqpUrl, this.log)
        // Forgotten at its first sign of failure ('error' comes before 'close'), so a channel reopened
        // in between is not made on the dying connection.
        const forget = () => {
          if (this.opened.get('amqp') !== opening) return
          this.opened.delete('amqp')
          if (!this.closing) this.log.warn('RabbitMQ connection lost; channels reconnect on their next attempt')
        }
        connection.on('error', forget)
        connection.on('close', forget)
        return connection
      },
      async (connection) => void (await connection.close().catch(() => {})), // a lost connection is closed already
    )
    return opening
  }

  /**
   * A factory of channels on the current RabbitMQ connection, each declaring the manifest's `queues`
   * (with their dead-letter queues) first: what consumeQueue and ConfirmedPublisher reopen with.
   */
  channels(queues: string[]): () => Promise<Channel> {
    const declared = this.manifestQueues(queues)
    return async () => this.declaring(await openChannel(await this.amqp(), this.log), declared)
  }

  /** The same with publisher confirms. */
  confirmChannels(queues: string[]): () => Promise<ConfirmChannel> {
    const declared = this.manifestQueues(queues)
    return async () => this.declaring(await openConfirmChannel(await this.amqp(), this.log), declared)
  }

  /** The manifest's queues by name, dead-letter queues first; a name it lacks throws now, not on every reopen. */
  private manifestQueues(names: string[]): Queue[] {
    return names.flatMap((name) => queueWithDeadLetter(this.context.manifest.queues, name))
  }

  private async declaring<T extends Channel>(channel: T, queues: Queue[]): Promise<T> {
    try {
      await declareQueues(channel, queues)
      return channel
    } catch (error) {
      await channel.close().catch(() => {}) // the declare error is what the caller gets; the channel may be gone
      throw error
    }
  }

  /** The kafkajs client (producers and consumers made from it are the caller's to register with onClose). */
  kafka(): Promise<Kafka> {
    return this.shared(
      'kafka',
      () => openKafka(this.config.kafkaBrokers, `streamctl-${this.name}`, this.log),
      async () => {},
    )
  }

  /** The switches, kept current and shown in /metrics. */
  switches(): Promise<SwitchesStore> {
    return this.shared(
      'switches',
      async () => {
        const store = await SwitchesStore.open(this.config.redisUrl, this.config.redisKeyPrefix, this.log)
        store.onChange((switches) => reportSwitches(this.metrics, switches))
        return store
      },
      (store) => store.close(),
    )
  }

  /** Starts the HTTP server (health, readiness, metrics and the router's routes). */
  async listen(router: Router, ready: ReadinessChecks = {}): Promise<RunningHttpServer> {
    const {host, port, maxInFlight, maxBodyBytes, headersTimeoutMs, requestTimeoutMs, shutdownTimeoutMs} = this.config
    const server = await startHttpServer({
      service: this.name,
      router,
      metrics: this.metrics,
      log: this.log,
      host,
      port,
      maxInFlight,
      maxBodyBytes,
      headersTimeoutMs,
      requestTimeoutMs,
      ready,
    })
    this.server = server
    this.onClose('http', () => server.close(shutdownTimeoutMs))
    this.log.info('listening', {url: server.url})
    return server
  }

  /** The RunningService for `serve`: its URL and a close that drains, stops, and disconnects. */
  running(ports: Record<string, number> = {}): RunningService {
    if (!this.server) throw new Error(`${this.name}: listen() before running()`)
    let closing: Promise<void> | undefined
    return {name: this.name, url: this.server.url, ports, close: () => (closing ??= this.close())}
  }

  private async close(): Promise<void> {
    this.closing = true
    for (const {what, close} of this.closers.reverse()) {
      await close().catch((error: Error) => this.log.warn(`closing ${what} failed`, {error: error.message}))
    }
    this.log.info('stopped')
  }
}
