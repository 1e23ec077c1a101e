// Folds user events into the read models in PostgreSQL (profiles, genre affinity, trending), as
// the `change` of applyOnce: it runs inside the transaction that advances the projector's offset.
import type pg from 'pg'
import {contentIdsOf, foldUserEvents, type ReadModelDelta} from './fold.js'
import type {UserEvent} from './event-types.js'

/** The `change` for user events: fold them and write the delta. Returns the users touched. */
export function foldIntoReadModels(
  windowMs: number,
): (client: pg.PoolClient, events: UserEvent[]) => Promise<string[]> {
  return async (client, batch) => {
    const events = await firstSeen(client, batch)
    if (events.length === 0) return []
    const ids = contentIdsOf(events)
    const genres = new Map<string, string[]>()
    if (ids.length > 0) {
      const rows = await client.query<{content_id: string; genres: string[]}>(
        'SELECT content_id, genres FROM content WHERE content_id = ANY($1)',
        [ids],
      )
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
      [
        profiles.map(([user]) => user),
        ...(['views', 'likes', 'searches', 'recommendation_requests', 'watch_seconds', 'last_event_at'] as const).map(
          (field) => profiles.map(([, profile]) => profile[field]),
        ),
      ],
    )
    // Stored recommendations of these users were ranked on the old profile.
    await client.query('DELETE FROM recommendations WHERE user_id = ANY($1)', [profiles.map(([user]) => user)])
  }
  const affinity = [...delta.affinity.entries()].flatMap(([user, byGenre]) =>
    [...byGenre.entries()].map(([genre, score]) => ({user, genre, score})),
  )
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
      [
        trending.map((row) => row.windowStart),
        trending.map((row) => row.contentId),
        trending.map((row) => row.views),
        trending.map((row) => row.likes),
      ],
    )
  }
}

/** The events of the batch not projected before (by event id), recording them as projected. */
async function firstSeen(client: pg.ClientBase, events: readonly UserEvent[]): Promise<UserEvent[]> {
  const inserted = await client.query<{event_id: string}>(
    'INSERT INTO projected_events (event_id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING event_id',
    [events.map((event) => event.event_id)],
  )
  const fresh = new Set(inserted.rows.map((row) => row.event_id))
  return events.filter((event) => fresh.delete(event.event_id))
}
