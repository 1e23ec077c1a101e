// Applies a batch of one partition to the read models in PostgreSQL. The batch's read-model
// change and the partition's next offset commit in ONE transaction, and messages below the stored
// offset are skipped, so a crash between the two, a rebalance or a replay never counts twice.
import type pg from 'pg'
import {contentIdsOf, foldUserEvents, type ReadModelDelta} from '../streamflow/fold.js'
import type {UserEvent} from '../streamflow/user-event.js'

export interface OffsetMessage<T> {
  offset: number
  value: T | undefined
}

export interface ApplyResult {
  applied: number
  skipped: number
  /** Users whose read models changed, whose cached recommendations are now stale. */
  users: string[]
  nextOffset: number
}

/**
 * Locks the partition's offset row, drops messages already applied, lets `change` write the rest,
 * and advances the offset — all in one transaction. Undecodable messages (value undefined) still
 * advance the offset: they are counted as skipped, never retried forever.
 */
export async function applyOnce<T>(pool: pg.Pool, where: {group: string; topic: string; partition: number}, messages: ReadonlyArray<OffsetMessage<T>>, change: (client: pg.PoolClient, values: T[]) => Promise<string[]>): Promise<ApplyResult> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('INSERT INTO projector_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING', [where.group, where.topic, where.partition])
    const stored = await client.query<{next_offset: string}>('SELECT next_offset FROM projector_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE', [where.group, where.topic, where.partition])
    const from = Number(stored.rows[0]!.next_offset)
    const fresh = messages.filter((message) => message.offset >= from)
    if (fresh.length === 0) {
      await client.query('ROLLBACK')
      return {applied: 0, skipped: messages.length, users: [], nextOffset: from}
    }
    const values = fresh.flatMap((message) => (message.value === undefined ? [] : [message.value]))
    const users = values.length > 0 ? await change(client, values) : []
    const nextOffset = Math.max(...fresh.map((message) => message.offset)) + 1
    await client.query('UPDATE projector_offsets SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3', [where.group, where.topic, where.partition, nextOffset])
    await client.query('COMMIT')
    return {applied: values.length, skipped: messages.length - values.length, users, nextOffset}
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/** The `change` for user events: fold them and write the delta. Returns the users touched. */
export function foldIntoReadModels(windowMs: number): (client: pg.PoolClient, events: UserEvent[]) => Promise<string[]> {
  return async (client, events) => {
    const ids = contentIdsOf(events)
    const genres = new Map<string, string[]>()
    if (ids.length > 0) {
      const rows = await client.query<{content_id: string; genres: string[]}>('SELECT content_id, genres FROM content WHERE content_id = ANY($1)', [ids])
      for (const row of rows.rows) genres.set(row.content_id, row.genres)
    }
    const delta = foldUserEvents(events, genres, windowMs)
    await writeDelta(client, delta)
    return [...delta.profiles.keys()]
  }
}

export async function writeDelta(client: pg.ClientBase, delta: ReadModelDelta): Promise<void> {
  const profiles = [...delta.profiles.entries()]
  if (profiles.length > 0) {
    await client.query(
      `INSERT INTO profiles (user_id, views, likes, searches, recommendation_requests, watch_seconds, last_event_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::float8[], $7::timestamptz[])
       ON CONFLICT (user_id) DO UPDATE SET
         views = profiles.views + EXCLUDED.views,
         likes = profiles.likes + EXCLUDED.likes,
         searches = profiles.searches + EXCLUDED.searches,
         recommendation_requests = profiles.recommendation_requests + EXCLUDED.recommendation_requests,
         watch_seconds = profiles.watch_seconds + EXCLUDED.watch_seconds,
         last_event_at = GREATEST(profiles.last_event_at, EXCLUDED.last_event_at)`,
      [profiles.map(([user]) => user), ...(['views', 'likes', 'searches', 'recommendation_requests', 'watch_seconds', 'last_event_at'] as const).map((field) => profiles.map(([, profile]) => profile[field]))],
    )
    // Stored recommendations of these users were ranked on the old profile.
    await client.query('DELETE FROM recommendations WHERE user_id = ANY($1)', [profiles.map(([user]) => user)])
  }
  const affinity = [...delta.affinity.entries()].flatMap(([user, byGenre]) => [...byGenre.entries()].map(([genre, score]) => ({user, genre, score})))
  if (affinity.length > 0) {
    await client.query(
      `INSERT INTO genre_affinity (user_id, genre, score) SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])
       ON CONFLICT (user_id, genre) DO UPDATE SET score = genre_affinity.score + EXCLUDED.score`,
      [affinity.map((row) => row.user), affinity.map((row) => row.genre), affinity.map((row) => row.score)],
    )
  }
  const trending = [...delta.trending.values()]
  if (trending.length > 0) {
    await client.query(
      `INSERT INTO trending (window_start, content_id, views, likes) SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[])
       ON CONFLICT (window_start, content_id) DO UPDATE SET views = trending.views + EXCLUDED.views, likes = trending.likes + EXCLUDED.likes`,
      [trending.map((row) => row.windowStart), trending.map((row) => row.contentId), trending.map((row) => row.views), trending.map((row) => row.likes)],
    )
  }
}
