// Private slices of the shared PostgreSQL, Redis and RabbitMQ for one test file: a database, a key
// prefix and a vhost of its own, removed afterwards. Tests never touch anything they did not create.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import pg from 'pg'

const run = promisify(execFile)
const PG_ADMIN = {host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres'}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
}

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

export async function createTestDatabase(prefix = 'sctl_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix)
  const admin = new pg.Client(PG_ADMIN)
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  return {
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const client = new pg.Client(PG_ADMIN)
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await client.end()
    },
  }
}

export interface TestVhost {
  vhost: string
  url: string
  drop(): Promise<void>
}

export async function createTestVhost(prefix = 'sctl_test'): Promise<TestVhost> {
  const vhost = uniqueName(prefix)
  await run('rabbitmqctl', ['add_vhost', vhost], {timeout: 60_000})
  await run('rabbitmqctl', ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], {timeout: 60_000})
  return {
    vhost,
    url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
    drop: async () => {
      await run('rabbitmqctl', ['delete_vhost', vhost], {timeout: 60_000})
    },
  }
}

/** Deletes every Redis key under a prefix this test created (SCAN, never FLUSHDB). */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const {Redis} = await import('ioredis')
  const redis = new Redis(redisUrl)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}
