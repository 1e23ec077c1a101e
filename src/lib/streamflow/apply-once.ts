// Exactly-once effects on the read side: a batch of one partition is applied together with the
// partition's next offset in ONE PostgreSQL transaction, and messages below the stored offset are
// skipped, so a crash between the two, a rebalance or a replay never counts twice.
import type pg from 'pg'

export interface OffsetMessage<T> {
  offset: number
  value: T | undefined
}

export interface ApplyResult {
  applied: number
  skipped: number
  /** What the change returned: the users whose read models changed, the content stored, … */
  ids: string[]
  nextOffset: number
}

/**
 * Locks the partition's offset row, drops messages already applied, lets `change` write the rest,
 * and advances the offset — all in one transaction. Undecodable messages (value undefined) still
 * advance the offset: they are counted as skipped, never retried forever.
 */
export async function applyOnce<T>(
  pool: pg.Pool,
  where: {group: string; topic: string; partition: number},
  messages: ReadonlyArray<OffsetMessage<T>>,
  change: (client: pg.PoolClient, values: T[]) => Promise<string[]>,
): Promise<ApplyResult> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(
      'INSERT INTO projector_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING',
      [where.group, where.topic, where.partition],
    )
    const stored = await client.query<{next_offset: string}>(
      'SELECT next_offset FROM projector_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
      [where.group, where.topic, where.partition],
    )
    const from = Number(stored.rows[0]!.next_offset)
    const fresh = messages.filter((message) => message.offset >= from)
    if (fresh.length === 0) {
      await client.query('ROLLBACK')
      return {applied: 0, skipped: messages.length, ids: [], nextOffset: from}
    }
    const values = fresh.flatMap((message) => (message.value === undefined ? [] : [message.value]))
    const ids = values.length > 0 ? await change(client, values) : []
    const nextOffset = Math.max(...fresh.map((message) => message.offset)) + 1
    await client.query(
      'UPDATE projector_offsets SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3',
      [where.group, where.topic, where.partition, nextOffset],
    )
    await client.query('COMMIT')
    return {applied: values.length, skipped: messages.length - values.length, ids, nextOffset}
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {}) // the first error is the one to report; a connection that cannot roll back is gone, which aborts the transaction too
    throw error
  } finally {
    client.release()
  }
}
