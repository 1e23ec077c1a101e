// Writes content events into the catalogue: the title's row and its embedding, in the transaction
// that advances the pipeline's offset (see applyOnce), so a replayed event is not stored twice.
import type pg from 'pg'
import {EMBEDDING_DIMS, EMBEDDING_MODEL, embedContent} from '../../lib/streamflow/embedding.js'
import type {ContentEvent} from '../../lib/streamflow/event-types.js'

/** Keeps the last event of each content id in a batch: that is the state to store. */
export function latestPerContent(events: readonly ContentEvent[]): ContentEvent[] {
  const latest = new Map<string, ContentEvent>()
  for (const event of events) latest.set(event.content_id, event)
  return [...latest.values()]
}

/** The `change` for applyOnce: returns the content ids stored or removed. */
export async function storeContentEvents(client: pg.ClientBase, events: ContentEvent[]): Promise<string[]> {
  const latest = latestPerContent(events)
  const upserts = latest.filter((event) => event.type !== 'content_removed')
  const removals = latest.filter((event) => event.type === 'content_removed').map((event) => event.content_id)
  if (upserts.length > 0) {
    await client.query(
      `INSERT INTO content (content_id, title, genres, tags, description, removed, created_at, updated_at)
       SELECT id, title, ARRAY(SELECT jsonb_array_elements_text(genres)), ARRAY(SELECT jsonb_array_elements_text(tags)), description, false, now(), now()
       FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $5::text[]) AS t(id, title, genres, tags, description)
       ON CONFLICT (content_id) DO UPDATE SET title = EXCLUDED.title, genres = EXCLUDED.genres, tags = EXCLUDED.tags,
         description = EXCLUDED.description, removed = false, updated_at = now()`,
      [
        upserts.map((event) => event.content_id),
        upserts.map((event) => event.title ?? event.content_id),
        upserts.map((event) => JSON.stringify(event.genres ?? [])),
        upserts.map((event) => JSON.stringify(event.tags ?? [])),
        upserts.map((event) => event.description ?? ''),
      ],
    )
    const vectors = upserts.map(
      (event) =>
        `{${[...embedContent({genres: event.genres ?? [], tags: event.tags, title: event.title, description: event.description})].map((value) => value.toFixed(6)).join(',')}}`,
    )
    await client.query(
      `INSERT INTO embeddings (content_id, model, dims, vector, updated_at)
       SELECT id, $3, $4, vector::real[], now() FROM unnest($1::text[], $2::text[]) AS t(id, vector)
       ON CONFLICT (content_id) DO UPDATE SET model = EXCLUDED.model, dims = EXCLUDED.dims, vector = EXCLUDED.vector, updated_at = now()`,
      [upserts.map((event) => event.content_id), vectors, EMBEDDING_MODEL, EMBEDDING_DIMS],
    )
  }
  if (removals.length > 0)
    await client.query('UPDATE content SET removed = true, updated_at = now() WHERE content_id = ANY($1)', [removals])
  return latest.map((event) => event.content_id)
}
