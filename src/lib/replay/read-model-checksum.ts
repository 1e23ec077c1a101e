// A deterministic checksum of each read-model table: md5 over its rows in key order, floats
// rounded to 1e-6 (live folds add in batch order, a rebuild in its own order), times in UTC ms.
// Equal checksums mean equal read models; `--verify` compares a rebuild with the live tables.
import type pg from 'pg'

export const READ_MODEL_TABLES = ['profiles', 'genre_affinity', 'trending'] as const
export type ReadModelTable = (typeof READ_MODEL_TABLES)[number]

const ROW_TEXT: Record<ReadModelTable, {row: string; order: string}> = {
  profiles: {
    row: `concat_ws('|', user_id, views, likes, searches, recommendation_requests, round(watch_seconds::numeric, 6), floor(extract(epoch FROM last_event_at) * 1000))`,
    order: 'user_id',
  },
  genre_affinity: {row: `concat_ws('|', user_id, genre, round(score::numeric, 6))`, order: 'user_id, genre'},
  trending: {
    row: `concat_ws('|', floor(extract(epoch FROM window_start) * 1000), content_id, views, likes)`,
    order: 'window_start, content_id',
  },
}

export interface TableChecksum {
  rows: number
  md5: string
}

/** Checksums of the read-model tables in `schema` (quoted identifier, e.g. the live or the shadow schema). */
export async function readModelChecksums(
  client: pg.ClientBase,
  schema: string,
): Promise<Record<ReadModelTable, TableChecksum>> {
  const sums = {} as Record<ReadModelTable, TableChecksum>
  for (const table of READ_MODEL_TABLES) {
    const {row, order} = ROW_TEXT[table]
    const result = await client.query<{rows: string; md5: string}>(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(${row}, E'\\n' ORDER BY ${order}), '')) AS md5 FROM ${quote(schema)}.${table}`,
    )
    sums[table] = {rows: Number(result.rows[0]!.rows), md5: result.rows[0]!.md5}
  }
  return sums
}

export function differingTables(
  a: Record<ReadModelTable, TableChecksum>,
  b: Record<ReadModelTable, TableChecksum>,
): ReadModelTable[] {
  return READ_MODEL_TABLES.filter((table) => a[table].md5 !== b[table].md5)
}

export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}
