// Settles one inference result. PostgreSQL first: usage_log (one row per request, the idempotency
// key) and the request row, in one transaction. Redis second: the quota settlement, itself
// idempotent. A crash between the two is repaired by the redelivery, which finds the usage_log row
// and settles Redis with the amount recorded there.
import type {Redis} from 'ioredis'
import type pg from 'pg'
import type {InferenceResultMessage} from '../amqp/inference-messages.js'
import {settleReservation} from '../quota/quota.js'
import {cacheStatus, readStatusRow} from '../redis/request-status.js'

export type SettleOutcome = 'settled' | 'already-settled' | 'unknown-request'

/** A request settled for the first time: its tier and the seconds from its creation (queue, LLM and collection). */
export type OnSettled = (tier: string, secondsSinceCreated: number) => void

export async function settleResult(
  pool: pg.Pool,
  redis: Redis,
  result: InferenceResultMessage,
  onSettled?: OnSettled,
): Promise<SettleOutcome> {
  const client = await pool.connect()
  let settlement: {
    userId: string
    day: string
    month: string
    actual: number
    fresh: boolean
    tier: string
    ageSeconds: number
  }
  try {
    await client.query('BEGIN')
    const request = await client.query<{
      user_id: string
      tier: string
      estimated_tokens: number
      quota_day: string
      quota_month: string
      age_s: number
    }>(
      "SELECT user_id, tier, estimated_tokens, to_char(quota_day, 'YYYY-MM-DD') AS quota_day, quota_month, extract(epoch FROM clock_timestamp() - created_at)::float8 AS age_s FROM requests WHERE request_id = $1 FOR UPDATE",
      [result.request_id],
    )
    const row = request.rows[0]
    if (!row) {
      await client.query('ROLLBACK')
      return 'unknown-request'
    }
    const actual = result.status === 'completed' ? Math.max(0, Math.round(result.usage?.total_tokens ?? 0)) : 0
    const inserted = await client.query(
      `INSERT INTO usage_log (request_id, user_id, tier, quota_day, quota_month, estimated_tokens, actual_tokens, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id) DO NOTHING`,
      [
        result.request_id,
        row.user_id,
        row.tier,
        row.quota_day,
        row.quota_month,
        row.estimated_tokens,
        actual,
        result.status,
      ],
    )
    const fresh = inserted.rowCount === 1
    let charged = actual
    if (fresh) {
      await client.query(
        `UPDATE requests SET status = $2, output = $3, degraded = $4, prompt_tokens = $5, completion_tokens = $6, total_tokens = $7, error = $8, attempts = $9,
           updated_at = now(), completed_at = now(), settled_at = now() WHERE request_id = $1`,
        [
          result.request_id,
          result.status,
          result.output ?? null,
          result.degraded,
          result.usage?.prompt_tokens ?? null,
          result.usage?.completion_tokens ?? null,
          result.usage?.total_tokens ?? null,
          result.error ?? null,
          result.attempts,
        ],
      )
    } else {
      const logged = await client.query<{actual_tokens: number}>(
        'SELECT actual_tokens FROM usage_log WHERE request_id = $1',
        [result.request_id],
      )
      charged = logged.rows[0]!.actual_tokens
    }
    await client.query('COMMIT')
    settlement = {
      userId: row.user_id,
      day: row.quota_day,
      month: row.quota_month,
      actual: charged,
      fresh,
      tier: row.tier,
      ageSeconds: Number(row.age_s),
    }
  } catch (error) {
    // The first error is the one to report; a connection that cannot roll back has lost the transaction anyway.
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
  if (settlement.fresh) onSettled?.(settlement.tier, settlement.ageSeconds)
  const settledNow = await settleReservation(redis, {
    requestId: result.request_id,
    userId: settlement.userId,
    day: settlement.day,
    month: settlement.month,
    actualTokens: settlement.actual,
  })
  // The status copy always comes from the row, so a duplicate result cannot change what clients see.
  const recorded = await readStatusRow(pool, result.request_id)
  if (recorded) await cacheStatus(redis, recorded.userId, recorded.status)
  return settlement.fresh || settledNow ? 'settled' : 'already-settled'
}
