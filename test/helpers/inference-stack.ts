// The inference path of the reference stack for one test file: its own database (migrated and
// seeded), Redis prefix and RabbitMQ vhost, an admin token for the gateway, and the chosen services
// started in-process.
import {Redis} from 'ioredis'
import pg from 'pg'
import {Agent, fetch} from 'undici'
import path from 'node:path'
import {applyMigrations} from '../../src/lib/provision/migrations.js'
import {generateAdminToken} from '../../src/lib/stack/admin-token.js'
import {seedAccounts} from '../../src/lib/provision/seed.js'
import type {SeededUser} from '../../src/lib/stack/credentials.js'
import type {QuotaTier} from '../../src/lib/stack/manifest.js'
import type {Env} from '../../src/services/runtime/env.js'
import {quotaPeriods} from '../../src/services/quota/quota.js'
import {RedisKeys} from '../../src/services/redis/keys.js'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {
  createTestDatabase,
  createTestVhost,
  dropRedisPrefix,
  uniqueName,
  type TestDatabase,
  type TestVhost,
} from './infra.js'
import {eventually, REFERENCE_DIR, startService} from './services.js'

export const REDIS_URL = 'redis://127.0.0.1:6379'

const tier = (
  name: string,
  dailyRequests: number,
  rateLimit = {perSecond: 100_000, burst: 100_000},
  priority = 1,
): QuotaTier => ({
  name,
  daily: {requests: dailyRequests, tokens: 100_000_000},
  monthly: {requests: 10_000_000, tokens: 1_000_000_000},
  rateLimit,
  priority,
})

/**
 * Tiers of the test population: a roomy one, one of exactly 100 requests a day, one of 2, one with
 * a burst of 3 that refills one request per 100 s (so a slow machine cannot refill it mid-test), a
 * high-priority one, and a staff one whose keys may act for any user.
 */
export const TEST_TIERS = [
  tier('roomy', 1_000_000),
  tier('limited', 100),
  tier('tiny', 2),
  tier('bursty', 1_000_000, {perSecond: 0.01, burst: 3}),
  tier('vip', 1_000_000, undefined, 9),
  {...tier('staff', 1_000_000), readsAllUsers: true},
]

export interface InferenceStack {
  env: Env
  /** The gateway's ADMIN_TOKEN (in `env`): send it with adminHeaders. */
  adminToken: string
  database: TestDatabase
  vhost: TestVhost
  prefix: string
  pg: pg.Client
  redis: Redis
  users: Record<string, SeededUser>
  services: Record<string, RunningService>
  start(name: string, extraEnv?: Env): Promise<RunningService>
  stop(name: string): Promise<void>
  close(): Promise<void>
}

export async function createInferenceStack(options: {users?: Record<string, string>} = {}): Promise<InferenceStack> {
  const [database, vhost] = await Promise.all([createTestDatabase('sctl_inf'), createTestVhost('sctl_inf')])
  const prefix = `${uniqueName('inf')}:`
  const client = new pg.Client({connectionString: database.url})
  await client.connect()
  await applyMigrations(client, path.join(REFERENCE_DIR, 'migrations'))
  const wanted = options.users ?? {roomy: 'roomy', limited: 'limited', tiny: 'tiny', bursty: 'bursty'}
  const names = Object.keys(wanted)
  const seeded = await seedAccounts(client, {tiers: TEST_TIERS, seed: {users: names.length, mix: {roomy: 1}, seed: 1}})
  const users: Record<string, SeededUser> = {}
  for (const [index, name] of names.entries()) {
    const user = seeded.users[index]!
    await client.query('UPDATE users SET tier = $2 WHERE user_id = $1', [user.userId, wanted[name]])
    users[name] = {...user, tier: wanted[name]!}
  }
  const redis = new Redis(REDIS_URL, {keyPrefix: prefix})
  const adminToken = generateAdminToken()
  const env: Env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    AMQP_URL: vhost.url,
    SHUTDOWN_TIMEOUT_MS: '3000',
    ADMIN_TOKEN: adminToken,
  }
  const services: Record<string, RunningService> = {}
  const stack: InferenceStack = {
    env,
    adminToken,
    database,
    vhost,
    prefix,
    pg: client,
    redis,
    users,
    services,
    async start(name, extraEnv = {}) {
      const service = await startService(name, {
        ...env,
        ...(services['llm-sim'] ? {LLM_SIM_URL: services['llm-sim'].url} : {}),
        ...extraEnv,
      })
      services[name] = service
      return service
    },
    async stop(name) {
      await services[name]?.close()
      delete services[name]
    },
    async close() {
      for (const name of ['gateway', 'worker', 'collector', 'llm-sim']) await stack.stop(name)
      await Promise.all(Object.keys(services).map((name) => stack.stop(name)))
      redis.disconnect()
      await client.end()
      await dropRedisPrefix(REDIS_URL, prefix)
      await Promise.all([database.drop(), vhost.drop()])
    },
  }
  return stack
}

export function authorized(user: SeededUser): Record<string, string> {
  return {authorization: `Bearer ${user.apiKey}`, 'content-type': 'application/json'}
}

/** Headers for the gateway's admin API. */
export function adminHeaders(stack: Pick<InferenceStack, 'adminToken'>): Record<string, string> {
  return {authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json'}
}

/**
 * A client for a thousand generates at once: at most 200 connections (a thousand SYNs at once
 * overflow the listen backlog, and on a loaded machine the kernel's retries outlast undici's 10 s
 * connect timeout), so the gateway still sees up to 200 requests racing for the same quota.
 */
export function raceClient(): Agent {
  return new Agent({connections: 200, connectTimeout: 120_000})
}

export async function generate(
  gatewayUrl: string,
  user: SeededUser,
  body: unknown = {prompt: 'Recommend three films for a rainy evening.', max_tokens: 64},
  dispatcher?: Agent,
) {
  const response = await fetch(`${gatewayUrl}/v1/generate`, {
    method: 'POST',
    headers: authorized(user),
    body: JSON.stringify(body),
    ...(dispatcher ? {dispatcher} : {}),
  })
  return {status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown>}
}

/** The marker of prompts PostgreSQL refuses once refuseMarkedRows is on. */
export const REFUSED_MARKER = 'refuse-me'

/**
 * Makes PostgreSQL refuse request rows whose prompt holds REFUSED_MARKER: a constraint the gateway's
 * own checks know nothing of, so such a row fails its group-committed INSERT. Returns its removal.
 */
export async function refuseMarkedRows(stack: InferenceStack): Promise<() => Promise<void>> {
  await stack.pg.query(
    `ALTER TABLE requests ADD CONSTRAINT no_refuse_marker CHECK (position('${REFUSED_MARKER}' in prompt) = 0)`,
  )
  return async () => void (await stack.pg.query('ALTER TABLE requests DROP CONSTRAINT no_refuse_marker'))
}

/** A user's quota counters for today (UTC): requests admitted, tokens reserved and used. */
export async function userQuotaToday(
  stack: InferenceStack,
  userId: string,
): Promise<{requests: number; reserved: number; used: number}> {
  const hash = await stack.redis.hgetall(RedisKeys.quota(userId, `d:${quotaPeriods(new Date()).day}`))
  return {requests: Number(hash.requests ?? 0), reserved: Number(hash.reserved ?? 0), used: Number(hash.used ?? 0)}
}

/** Sums of the quota hashes of every user and period, and the open reservations. */
export async function quotaTotals(
  stack: InferenceStack,
): Promise<{used: number; reserved: number; open: number; usageLogSum: number}> {
  let used = 0
  let reserved = 0
  let cursor = '0'
  do {
    const [next, keys] = await stack.redis.scan(cursor, 'MATCH', `${stack.prefix}quota:*:d:*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const hash = await stack.redis.hgetall(key.slice(stack.prefix.length))
      used += Number(hash.used ?? 0)
      reserved += Number(hash.reserved ?? 0)
    }
  } while (cursor !== '0')
  const open = await stack.redis.hlen('quota:open')
  const sum = await stack.pg.query('SELECT coalesce(sum(actual_tokens), 0)::bigint AS total FROM usage_log')
  return {used, reserved, open, usageLogSum: Number(sum.rows[0].total)}
}

/** One user's admitted requests today, as the quota counts them and as the requests table stores them. */
export async function chargedAndStored(
  stack: InferenceStack,
  user: SeededUser,
): Promise<{charged: number; stored: number}> {
  const charged = (await userQuotaToday(stack, user.userId)).requests
  const stored = await stack.pg.query('SELECT count(*)::int AS n FROM requests WHERE user_id = $1', [user.userId])
  return {charged, stored: stored.rows[0].n as number}
}

/** The quota totals once no reservation is open any more (every admitted request settled). */
export async function settledTotals(
  stack: InferenceStack,
  timeoutMs: number,
  what = 'every reservation to settle',
): Promise<Awaited<ReturnType<typeof quotaTotals>>> {
  return eventually(
    async () => {
      const current = await quotaTotals(stack)
      return current.open === 0 ? current : undefined
    },
    timeoutMs,
    what,
  )
}
