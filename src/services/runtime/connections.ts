// Connections to the stack's data stores, from the service's BaseConfig. Redis keys get the stack's
// REDIS_KEY_PREFIX (ioredis keyPrefix also prefixes the KEYS of EVAL); pub/sub channel names do not,
// so channelName() adds it.
import type {Writable} from 'node:stream'
import type {Channel, ChannelModel, ConfirmChannel} from 'amqplib'
import type {Redis} from 'ioredis'
import type {Kafka} from 'kafkajs'
import type pg from 'pg'
import type {Logger} from '../telemetry/log.js'

/** How long a pooled PostgreSQL connection may sit idle before the pool closes it. */
export const POSTGRES_IDLE_MS = 600_000

export interface PostgresOptions {
  max?: number
  applicationName?: string
  /** Session settings sent in the startup packet (e.g. {synchronous_commit: 'off'}): no extra round trip, no query racing the pool's first one. */
  settings?: Record<string, string>
}

/**
 * A pool that keeps its connections: pg-pool's default closes one after 10 s idle, and opening a
 * PostgreSQL connection forks a backend (tens of ms on a busy 2-core machine), so the first burst
 * after a quiet spell queued behind new connections (recommendation misses in the first second after
 * 12 s idle: p99 ~450 ms, ~150 ms with the connections kept). Like HikariCP's 10-minute idle timeout.
 */
export async function openPostgres(databaseUrl: string, options: PostgresOptions = {}): Promise<pg.Pool> {
  const {default: pgModule} = await import('pg')
  const settings = Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`)
  const pool = new pgModule.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'streamctl',
    idleTimeoutMillis: POSTGRES_IDLE_MS,
    ...(settings.length > 0 ? {options: settings.join(' ')} : {}),
  })
  // An idle client losing its server must not crash the service; the next query reconnects.
  pool.on('error', () => {})
  return pool
}

export async function openRedis(redisUrl: string, keyPrefix: string, log?: Logger): Promise<Redis> {
  const {Redis: RedisClient} = await import('ioredis')
  const redis = new RedisClient(redisUrl, {
    keyPrefix,
    maxRetriesPerRequest: 2,
    lazyConnect: true,
    enableAutoPipelining: true,
  })
  redis.on('error', (error: Error) => log?.warn('redis error', {error: error.message}))
  // A client whose first connect failed keeps reconnecting on its own: stop it, so a caller that
  // retries opening (a service connecting in the background) does not leave one behind per attempt.
  await redis.connect().catch((error: unknown) => {
    redis.disconnect()
    throw error
  })
  return redis
}

export function channelName(keyPrefix: string, channel: string): string {
  return `${keyPrefix}${channel}`
}

export async function openAmqp(amqpUrl: string, log?: Logger): Promise<ChannelModel> {
  const amqp = await import('amqplib')
  const connection = await amqp.connect(amqpUrl, {timeout: 10_000})
  connection.on('error', (error: Error) => log?.warn('amqp connection error', {error: error.message}))
  coalesceFrameWrites(connection)
  return connection
}

/**
 * amqplib's Mux writes every frame to the socket on its own: N messages published together are N
 * send system calls, and N segments RabbitMQ reads. Corking the socket for each pass of the Mux
 * turns a pass into one writev. Left as it is if amqplib's internals are not what this expects.
 */
function coalesceFrameWrites(connection: ChannelModel): void {
  const muxer = (connection as unknown as {connection?: {muxer?: {out?: Writable; _readIncoming?: () => void}}})
    .connection?.muxer
  const read = muxer?._readIncoming
  const out = muxer?.out
  if (!muxer || typeof read !== 'function' || typeof out?.cork !== 'function') return
  muxer._readIncoming = function () {
    out.cork()
    try {
      read.call(this)
    } finally {
      out.uncork()
    }
  }
}

/** A channel whose errors are logged, not thrown into the void. */
export async function openChannel(connection: ChannelModel, log?: Logger): Promise<Channel> {
  const channel = await connection.createChannel()
  channel.on('error', (error: Error) => log?.warn('amqp channel error', {error: error.message}))
  return channel
}

/** A channel with publisher confirms: a publish resolves once the broker has the message. */
export async function openConfirmChannel(connection: ChannelModel, log?: Logger): Promise<ConfirmChannel> {
  const channel = await connection.createConfirmChannel()
  channel.on('error', (error: Error) => log?.warn('amqp channel error', {error: error.message}))
  return channel
}

/** A kafkajs client for KAFKA_BROKERS; its log lines go to the service log at warn level and above. */
export async function openKafka(brokers: string[], clientId: string, log?: Logger): Promise<Kafka> {
  const {Kafka: KafkaClient, logLevel} = await import('kafkajs')
  return new KafkaClient({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => log?.warn(`kafka: ${entry.log.message}`, {namespace: entry.namespace}),
  })
}
