// Token-quota reservation (gateway) and settlement (collector) over the scripts in scripts.ts.
import type {Redis} from 'ioredis'
import {RedisKeys} from '../redis/keys.js'
import {STATUS_TTL_SECONDS, statusCopy} from '../redis/request-status.js'
import {ADMIT_SCRIPT, CONFIRM_STORED_SCRIPT, REFUND_SCRIPT, SETTLE_SCRIPT} from './scripts.js'

export interface TierLimits {
  name: string
  daily: {requests: number; tokens: number}
  monthly: {requests: number; tokens: number}
  rateLimit: {perSecond: number; burst: number}
  priority: number
}

const DAY_MS = 86_400_000
/** The UTC day quotaPeriods last answered for, [from, to) in ms, and its strings. */
let periods = {from: 0, to: 0, day: '', month: ''}

/** The quota periods a moment falls in, UTC: `2026-11-25` and `2026-11`. */
export function quotaPeriods(now: Date): {day: string; month: string} {
  const ms = now.getTime()
  // Every generate asks several times; the strings change once a day.
  if (!(ms >= periods.from && ms < periods.to)) {
    const iso = now.toISOString()
    const from = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS)
    periods = {from, to: from + DAY_MS, day: iso.slice(0, 10), month: iso.slice(0, 7)}
  }
  return {day: periods.day, month: periods.month}
}

export const quotaKeys = (userId: string, day: string, month: string) => ({
  day: RedisKeys.quota(userId, `d:${day}`),
  month: RedisKeys.quota(userId, `m:${month}`),
})

export type AdmitOutcome =
  | {admitted: true; limit: number; remaining: number}
  | {
      admitted: false
      reason: 'rate_limit' | 'daily_requests' | 'daily_tokens' | 'monthly_requests' | 'monthly_tokens'
      limit: number
      remaining: number
      retryAfterSeconds: number
      resetSeconds: number
    }

const REASONS = ['rate_limit', 'daily_requests', 'daily_tokens', 'monthly_requests', 'monthly_tokens'] as const

type QuotaRedis = Redis & {
  quotaAdmit(...args: Array<string | number>): Promise<[number, number, number, number]>
  quotaSettle(...args: Array<string | number>): Promise<number>
  quotaRefund(...args: Array<string | number>): Promise<number>
  quotaConfirmStored(...args: Array<string | number>): Promise<number>
}

/**
 * Defines the quota Lua scripts on a client. Call it when the client is created: with auto-pipelining
 * on, a script defined lazily on first use is missing from an auto-pipeline an earlier command in the
 * same tick already opened (`pipeline[functionName] is not a function`, redis/ioredis#1931).
 */
export function withScripts(redis: Redis): QuotaRedis {
  const scripted = redis as QuotaRedis
  if (typeof scripted.quotaAdmit !== 'function') {
    redis.defineCommand('quotaAdmit', {numberOfKeys: 6, lua: ADMIT_SCRIPT})
    redis.defineCommand('quotaSettle', {numberOfKeys: 3, lua: SETTLE_SCRIPT})
    redis.defineCommand('quotaRefund', {numberOfKeys: 6, lua: REFUND_SCRIPT})
    redis.defineCommand('quotaConfirmStored', {numberOfKeys: 2, lua: CONFIRM_STORED_SCRIPT})
  }
  return scripted
}

/** Checks and reserves atomically: the rate limit, then the daily and monthly request and token limits; an admitted request's status copy reads `queued`. */
export async function admitRequest(
  redis: Redis,
  input: {keyId: string; userId: string; tier: TierLimits; estimate: number; requestId: string; now: Date},
): Promise<AdmitOutcome> {
  const {day, month} = quotaPeriods(input.now)
  const keys = quotaKeys(input.userId, day, month)
  const {tier} = input
  const [status, limit, remaining, retryMs] = await withScripts(redis).quotaAdmit(
    RedisKeys.rateLimit(input.keyId),
    keys.day,
    keys.month,
    RedisKeys.openReservations,
    RedisKeys.pendingDispatch,
    RedisKeys.requestStatus(input.requestId),
    input.now.getTime(),
    tier.rateLimit.perSecond,
    tier.rateLimit.burst,
    tier.daily.requests,
    tier.daily.tokens,
    tier.monthly.requests,
    tier.monthly.tokens,
    input.estimate,
    input.requestId,
    2 * 86_400,
    35 * 86_400,
    pendingMember(input.requestId, input.userId, day),
    statusCopy(input.userId, {request_id: input.requestId, status: 'queued'}),
    STATUS_TTL_SECONDS,
  )
  if (status === 0) return {admitted: true, limit, remaining}
  const reason = REASONS[status - 1]!
  const resetSeconds =
    reason === 'rate_limit'
      ? Math.ceil(retryMs / 1000)
      : secondsUntilReset(input.now, reason.startsWith('daily') ? 'day' : 'month')
  return {admitted: false, reason, limit, remaining, retryAfterSeconds: Math.max(1, resetSeconds), resetSeconds}
}

/** The pending-dispatch set's member for a request: what the sweeper needs to settle it alone. */
export function pendingMember(requestId: string, userId: string, day: string): string {
  return JSON.stringify([requestId, userId, day])
}

export function parsePendingMember(member: string): {requestId: string; userId: string; day: string} | undefined {
  try {
    const [requestId, userId, day] = JSON.parse(member) as unknown[]
    return typeof requestId === 'string' && typeof userId === 'string' && typeof day === 'string'
      ? {requestId, userId, day}
      : undefined
  } catch {
    return undefined
  }
}

/** Releases the reservation and charges the actual tokens; true when this call settled it. */
export async function settleReservation(
  redis: Redis,
  input: {requestId: string; userId: string; day: string; month: string; actualTokens: number},
): Promise<boolean> {
  const keys = quotaKeys(input.userId, input.day, input.month)
  return (
    (await withScripts(redis).quotaSettle(
      keys.day,
      keys.month,
      RedisKeys.openReservations,
      input.requestId,
      input.actualTokens,
    )) === 1
  )
}

/**
 * Undoes an admission that will not end in a stored, queued request: the request is uncounted, its
 * tokens released and its pending-dispatch entry and status copy removed, atomically; true when this
 * call refunded it (false: settled or refunded before).
 */
export async function refundAdmission(
  redis: Redis,
  input: {requestId: string; userId: string; day: string},
): Promise<boolean> {
  const keys = quotaKeys(input.userId, input.day, input.day.slice(0, 7))
  const member = pendingMember(input.requestId, input.userId, input.day)
  return (
    (await withScripts(redis).quotaRefund(
      keys.day,
      keys.month,
      RedisKeys.openReservations,
      RedisKeys.pendingDispatch,
      RedisKeys.requestStatus(input.requestId),
      RedisKeys.admissionOutcome(input.requestId),
      input.requestId,
      member,
    )) === 1
  )
}

/**
 * After a slow store: marks the request stored unless the dispatch sweeper refunded it meanwhile
 * (then false, and the caller drops the row and fails the request). Stores faster than half the
 * sweeper's grace period need no mark: the row is committed before the sweeper can look for it.
 */
export async function confirmStored(redis: Redis, requestId: string): Promise<boolean> {
  return (
    (await withScripts(redis).quotaConfirmStored(
      RedisKeys.openReservations,
      RedisKeys.admissionOutcome(requestId),
      requestId,
      OUTCOME_TTL_SECONDS,
    )) === 1
  )
}

/**
 * After a store that failed once its INSERT was sent (the connection dropped mid-statement, a
 * timeout), when the row may yet have been committed: the admission is left to the dispatch sweeper,
 * which drops the row if there is one and then refunds, instead of publishing it. The client was told
 * the request failed, so it must never run.
 */
export async function abandonAdmission(redis: Redis, requestId: string): Promise<void> {
  await redis.set(RedisKeys.admissionOutcome(requestId), 'abandoned', 'EX', OUTCOME_TTL_SECONDS)
}

/** Outlives the sweeper's grace period many times over. */
const OUTCOME_TTL_SECONDS = 2 * 86_400

function secondsUntilReset(now: Date, period: 'day' | 'month'): number {
  const next =
    period === 'day'
      ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)
      : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)
  return Math.ceil((next - now.getTime()) / 1000)
}
