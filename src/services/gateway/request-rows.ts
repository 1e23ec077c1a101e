// Stores accepted requests: many rows in one INSERT … SELECT FROM unnest(…), so concurrent
// generates share one commit (see batcher.ts). The statement is prepared once per connection
// (a named query): planning the unnest of twelve arrays cost PostgreSQL more than the insert itself
// (measured 720 against 413 µs of server CPU for an 8-row batch, 340–407 against 273–287 for one row).
import type pg from 'pg'
import type {InferenceRequestMessage} from '../amqp/inference-messages.js'

/**
 * Whether PostgreSQL refused a write because of what a row holds (SQLSTATE classes 22 data exception,
 * 23 integrity constraint violation, 54 program limit exceeded), not because the store is unreachable
 * or failing: a batch that fails so is retried row by row, and the row at fault is the request's fault.
 */
export function isRowFault(error: unknown): boolean {
  const code = (error as {code?: unknown})?.code
  return typeof code === 'string' && /^(22|23|54)/.test(code)
}

/**
 * Whether a failed write certainly never reached PostgreSQL (no connection could be made, the pool
 * was closed), so nothing can have been committed; any other failure after the statement was sent
 * leaves the row in doubt.
 */
export function neverSent(error: unknown): boolean {
  const {code, message} = error as {code?: unknown; message?: unknown}
  // Socket errors before a connection, and PostgreSQL refusing the connection itself (too many
  // connections, starting up or shutting down, authentication, no such database).
  if (
    typeof code === 'string' &&
    (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', '53300', '57P03', '3D000'].includes(code) ||
      code.startsWith('28'))
  )
    return true
  return (
    typeof message === 'string' &&
    /Cannot use a pool after calling end|timeout exceeded when trying to connect/.test(message)
  )
}

export interface RequestRow {
  message: InferenceRequestMessage
  keyId: string
  createdAt: Date
}

export async function insertRequests(pool: pg.Pool | pg.ClientBase, rows: RequestRow[]): Promise<void> {
  const column = <T>(pick: (row: RequestRow) => T) => rows.map(pick)
  await pool.query({
    name: 'streamctl-insert-requests',
    text: `INSERT INTO requests (request_id, user_id, key_id, tier, model, prompt, max_tokens, estimated_tokens, quota_day, quota_month, priority, created_at, updated_at)
     SELECT r, u, k, t, m, p, mt, e, d, mo, pr, c, c
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::date[], $10::text[], $11::int[], $12::timestamptz[])
       AS x(r, u, k, t, m, p, mt, e, d, mo, pr, c)`,
    values: [
      column((row) => row.message.request_id),
      column((row) => row.message.user_id),
      column((row) => row.keyId),
      column((row) => row.message.tier),
      column((row) => row.message.model),
      column((row) => row.message.prompt),
      column((row) => row.message.max_tokens),
      column((row) => row.message.estimated_tokens),
      column((row) => row.message.quota_day),
      column((row) => row.message.quota_month),
      column((row) => row.message.priority),
      column((row) => row.createdAt),
    ],
  })
}
