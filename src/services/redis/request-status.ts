// A request's status as `GET /v1/requests/{id}` answers it, read from PostgreSQL (the record) or
// from its Redis copy: the gateway writes `queued` when it accepts a request, the worker `running`
// when it starts on it (over `queued` only) and the collector the final state once settled, so polls
// are answered from Redis; an expired copy falls back to the row. The row itself goes from `queued`
// to its final state: the worker has no database connection.
import type {Redis} from 'ioredis'
import type pg from 'pg'
import type {RequestStatus} from '../../lib/streamflow/api.js'
import {RedisKeys} from './keys.js'

/** How long a status copy stays in Redis, in seconds. */
export const STATUS_TTL_SECONDS = 3600

interface StatusRow {
  status: RequestStatus['status']
  output: string | null
  degraded: boolean
  prompt_tokens: number | null
  completion_tokens: number | null
  total_tokens: number | null
  error: string | null
}

export function statusFromRow(requestId: string, row: StatusRow): RequestStatus {
  return {
    request_id: requestId,
    status: row.status,
    ...(row.output === null ? {} : {output: row.output}),
    ...(row.status === 'completed' ? {degraded: row.degraded} : {}),
    ...(row.total_tokens === null
      ? {}
      : {
          usage: {
            prompt_tokens: row.prompt_tokens ?? 0,
            completion_tokens: row.completion_tokens ?? 0,
            total_tokens: row.total_tokens,
          },
        }),
    ...(row.error === null ? {} : {error: row.error}),
  }
}

/** The request's status for its owner, from PostgreSQL; undefined when absent or someone else's. */
export async function readStatusRow(
  pool: pg.Pool | pg.PoolClient,
  requestId: string,
  userId?: string,
): Promise<{userId: string; status: RequestStatus} | undefined> {
  const result = await pool.query<StatusRow & {user_id: string}>(
    'SELECT user_id, status, output, degraded, prompt_tokens, completion_tokens, total_tokens, error FROM requests WHERE request_id = $1',
    [requestId],
  )
  const row = result.rows[0]
  if (!row || (userId !== undefined && row.user_id !== userId)) return undefined
  return {userId: row.user_id, status: statusFromRow(requestId, row)}
}

/** The Redis copy of a status (the admit script writes the first one, `queued`, itself). */
export function statusCopy(userId: string, status: RequestStatus): string {
  return JSON.stringify({user_id: userId, ...status})
}

export async function cacheStatus(redis: Redis, userId: string, status: RequestStatus): Promise<void> {
  await redis.set(RedisKeys.requestStatus(status.request_id), statusCopy(userId, status), 'EX', STATUS_TTL_SECONDS)
}

export async function readCachedStatus(
  redis: Redis,
  requestId: string,
): Promise<{userId: string; status: RequestStatus} | undefined> {
  const text = await redis.get(RedisKeys.requestStatus(requestId))
  if (!text) return undefined
  const {user_id: userId, ...status} = JSON.parse(text) as RequestStatus & {user_id: string}
  return {userId, status}
}

/**
 * Queued → running on the copy, keeping its owner and its TTL. Anything else is left alone: a final
 * state (a redelivered request that was settled already), running, or no copy at all.
 * KEYS: the status copy. Returns 1 when changed.
 */
const MARK_RUNNING_SCRIPT = `
local copy = redis.call('GET', KEYS[1])
if not copy then return 0 end
local ok, status = pcall(cjson.decode, copy)
if not ok or type(status) ~= 'table' or status.status ~= 'queued' then return 0 end
status.status = 'running'
redis.call('SET', KEYS[1], cjson.encode(status), 'KEEPTTL')
return 1
`

export type StatusRedis = Redis & {requestMarkRunning(key: string): Promise<number>}

/** Defines the status script on a client; call it before the client's first use (see quota/quota.ts withScripts for why). */
export function withStatusScripts(redis: Redis): StatusRedis {
  const scripted = redis as StatusRedis
  if (typeof scripted.requestMarkRunning !== 'function')
    redis.defineCommand('requestMarkRunning', {numberOfKeys: 1, lua: MARK_RUNNING_SCRIPT})
  return scripted
}

/** Shows a queued request as running; true when it did. */
export async function markRunning(redis: StatusRedis, requestId: string): Promise<boolean> {
  return (await redis.requestMarkRunning(RedisKeys.requestStatus(requestId))) === 1
}
