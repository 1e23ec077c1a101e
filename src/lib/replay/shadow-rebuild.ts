// The `projector` target: rebuild the read models into shadow tables, then swap them in.
//
// Why shadow tables rather than rewinding the projector's committed position: a rewind has to empty
// the read models first, so for the whole rebuild the query side would serve empty or half-built
// profiles. Here the live tables keep serving until ONE transaction replaces their rows with the
// rebuilt ones (readers see the old rows or the new, never a mix, and never block: DELETE + INSERT
// under MVCC, not TRUNCATE) and moves the live projector's stored offsets to where the rebuild
// ended. The fold is the projector's own (foldIntoReadModels through applyOnce), run on a pool
// whose search_path puts the shadow schema first, so shadow offsets commit with each batch: a
// replay killed at any point resumes where its last batch committed, and the swap drops the shadow
// schema in the same transaction, so it happens once.
import type pg from 'pg'
import {StreamctlError} from '../errors.js'
import {foldIntoReadModels} from '../streamflow/read-model-store.js'
import {applyOnce} from '../streamflow/apply-once.js'
import {decodeJson} from '../streamflow/decode-json.js'
import type {UserEvent} from '../streamflow/event-types.js'
import {
  differingTables,
  quote,
  readModelChecksums,
  type ReadModelTable,
  type TableChecksum,
} from './read-model-checksum.js'
import type {PartitionRange, ReplayRecord} from './replay-record.js'

export const SHADOW_SCHEMA = 'streamctl_replay'
const SHADOW_TABLES = [
  'profiles',
  'genre_affinity',
  'recommendations',
  'trending',
  'projected_events',
  'projector_offsets',
]
const SWAPPED_TABLES = ['profiles', 'genre_affinity', 'trending', 'projected_events']
const REPLAY_GROUP = 'streamctl-replay'

export interface ShadowOptions {
  databaseUrl: string
  /** Identifies the replay (source, range flags): a shadow left by the same replay is resumed. */
  planKey: string
  /** Where the folded records come from, as stored in the shadow offsets (a topic, or file:<name>). */
  sourceLabel: string
  windowMs: number
  accept: (value: unknown) => value is UserEvent
}

export type SwapOutcome =
  | {kind: 'swapped'; live: Record<ReadModelTable, TableChecksum>; rebuilt: Record<ReadModelTable, TableChecksum>}
  | {
      kind: 'differs'
      differing: ReadModelTable[]
      live: Record<ReadModelTable, TableChecksum>
      rebuilt: Record<ReadModelTable, TableChecksum>
    }
  /** The live projector is past the rebuild's end on these partitions: fold up to there first. */
  | {kind: 'behind'; liveOffsets: Map<number, number>}

export class ShadowRebuild {
  private constructor(
    private readonly lock: pg.Client,
    private readonly pool: pg.Pool,
    private readonly live: string,
    private readonly options: ShadowOptions,
    private readonly foldEvents: (client: pg.PoolClient, events: UserEvent[]) => Promise<string[]>,
  ) {}

  /** Takes the replay lock and opens (or resumes) the shadow; returns the ranges it covers. */
  static async open(
    options: ShadowOptions,
    ranges: PartitionRange[],
  ): Promise<{rebuild: ShadowRebuild; ranges: PartitionRange[]; resumed: boolean}> {
    const {default: pgModule} = await import('pg')
    const lock = new pgModule.Client({connectionString: options.databaseUrl, application_name: 'streamctl replay'})
    await lock.connect()
    const locked = await lock.query<{ok: boolean}>("SELECT pg_try_advisory_lock(hashtext('streamctl replay')) AS ok")
    if (!locked.rows[0]!.ok) {
      await lock.end()
      throw new StreamctlError('REPLAY_BUSY', 'another replay into the projector is running against this database', {
        hint: 'Wait for it to finish; a killed replay releases its lock and is resumed by running it again.',
      })
    }
    const live = (await lock.query<{schema: string}>('SELECT current_schema() AS schema')).rows[0]!.schema
    const stored = await storedPlan(lock)
    let resumed = false
    if (stored?.key === options.planKey) {
      ranges = stored.ranges
      resumed = true
    } else {
      await createShadow(lock, live, options.planKey, ranges)
    }
    // One connection: folds of different partitions upsert the same trending rows, and serialising
    // them avoids deadlocks between their transactions.
    const pool = new pgModule.Pool({
      connectionString: options.databaseUrl,
      max: 1,
      application_name: 'streamctl replay',
      options: `-c search_path=${SHADOW_SCHEMA},${live}`,
    })
    pool.on('error', () => {}) // an idle client's error (the server restarted) surfaces on the next query
    return {
      rebuild: new ShadowRebuild(lock, pool, live, options, foldIntoReadModels(options.windowMs)),
      ranges,
      resumed,
    }
  }

  /** The next offset to fold per partition, as committed in the shadow. */
  async progress(): Promise<Map<number, number>> {
    const rows = await this.lock.query<{partition: number; next_offset: string}>(
      `SELECT partition, next_offset FROM ${SHADOW_SCHEMA}.projector_offsets WHERE consumer_group = $1 AND topic = $2`,
      [REPLAY_GROUP, this.options.sourceLabel],
    )
    return new Map(rows.rows.map((row) => [row.partition, Number(row.next_offset)]))
  }

  /** Folds one chunk of a partition, with its offsets, in one shadow transaction. */
  async fold(partition: number, records: readonly ReplayRecord[]): Promise<void> {
    const messages = records.map((record) => {
      const value = decodeJson<unknown>(record.value)
      return {offset: record.offset, value: this.options.accept(value) ? value : undefined}
    })
    await applyOnce(
      this.pool,
      {group: REPLAY_GROUP, topic: this.options.sourceLabel, partition},
      messages,
      this.foldEvents,
    )
  }

  /** Records extended ranges (a catch-up with the live projector) so a resumed replay knows them. */
  async extend(ranges: PartitionRange[]): Promise<void> {
    await this.lock.query(`UPDATE ${SHADOW_SCHEMA}.replay_plan SET ranges = $1`, [JSON.stringify(ranges)])
  }

  async checksums(): Promise<Record<ReadModelTable, TableChecksum>> {
    return readModelChecksums(this.lock, SHADOW_SCHEMA)
  }

  /**
   * Swaps the rebuilt rows in, in one transaction. With `liveGroup`, the live projector's offset rows
   * are locked first (its batches wait), and the group is moved to `ranges`' ends. `catchUp`: refuse
   * ('behind') while the live projector is past the rebuild, so nothing it folded is lost.
   */
  async swap(
    ranges: readonly PartitionRange[],
    options: {liveGroup?: {group: string; topic: string}; verify: boolean; catchUp: boolean},
  ): Promise<SwapOutcome> {
    const live = quote(this.live)
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      if (options.liveGroup) {
        const rows = await client.query<{partition: number; next_offset: string}>(
          `SELECT partition, next_offset FROM ${live}.projector_offsets WHERE consumer_group = $1 AND topic = $2 FOR UPDATE`,
          [options.liveGroup.group, options.liveGroup.topic],
        )
        const liveOffsets = new Map(rows.rows.map((row) => [row.partition, Number(row.next_offset)]))
        if (options.catchUp && ranges.some((range) => (liveOffsets.get(range.partition) ?? 0) > range.end)) {
          await client.query('ROLLBACK')
          return {kind: 'behind', liveOffsets}
        }
      }
      const rebuilt = await readModelChecksums(client, SHADOW_SCHEMA)
      const current = await readModelChecksums(client, this.live)
      const differing = differingTables(rebuilt, current)
      if (options.verify && differing.length > 0) {
        await client.query('ROLLBACK')
        return {kind: 'differs', differing, live: current, rebuilt}
      }
      for (const table of SWAPPED_TABLES) {
        await client.query(`DELETE FROM ${live}.${table}`)
        await client.query(`INSERT INTO ${live}.${table} SELECT * FROM ${SHADOW_SCHEMA}.${table}`)
      }
      // Stored recommendations were ranked on the replaced profiles: the recommender ranks again.
      await client.query(`DELETE FROM ${live}.recommendations`)
      if (options.liveGroup) {
        for (const range of ranges) {
          await client.query(
            `INSERT INTO ${live}.projector_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
             ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
            [options.liveGroup.group, options.liveGroup.topic, range.partition, range.end],
          )
        }
      }
      await client.query(`DROP SCHEMA ${SHADOW_SCHEMA} CASCADE`)
      await client.query('COMMIT')
      return {kind: 'swapped', live: current, rebuilt}
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {}) // the first error is the one to report; a connection that cannot roll back is gone, which aborts the transaction too
      throw error
    } finally {
      client.release()
    }
  }

  /** Leaves the shadow in place (a later run resumes or replaces it) and releases the lock. */
  async close(): Promise<void> {
    await this.pool.end().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
    await this.lock.end().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
  }
}

async function storedPlan(client: pg.Client): Promise<{key: string; ranges: PartitionRange[]} | undefined> {
  const exists = await client.query<{found: string | null}>(
    `SELECT to_regclass('${SHADOW_SCHEMA}.replay_plan')::text AS found`,
  )
  if (!exists.rows[0]!.found) return undefined
  const rows = await client.query<{plan_key: string; ranges: PartitionRange[]}>(
    `SELECT plan_key, ranges FROM ${SHADOW_SCHEMA}.replay_plan`,
  )
  return rows.rows[0] ? {key: rows.rows[0].plan_key, ranges: rows.rows[0].ranges} : undefined
}

/** A fresh shadow schema (empty copies of the live tables and the plan), all or nothing. */
async function createShadow(client: pg.Client, live: string, planKey: string, ranges: PartitionRange[]): Promise<void> {
  try {
    await client.query('BEGIN')
    await client.query(`DROP SCHEMA IF EXISTS ${SHADOW_SCHEMA} CASCADE`)
    await client.query(`CREATE SCHEMA ${SHADOW_SCHEMA}`)
    for (const table of SHADOW_TABLES)
      await client.query(`CREATE TABLE ${SHADOW_SCHEMA}.${table} (LIKE ${quote(live)}.${table} INCLUDING ALL)`)
    await client.query(
      `CREATE TABLE ${SHADOW_SCHEMA}.replay_plan (plan_key text NOT NULL, ranges jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    )
    await client.query(`INSERT INTO ${SHADOW_SCHEMA}.replay_plan (plan_key, ranges) VALUES ($1, $2)`, [
      planKey,
      JSON.stringify(ranges),
    ])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {}) // the first error is the one to report; a connection that cannot roll back is gone, which aborts the transaction too
    throw new StreamctlError(
      'REPLAY_TARGET_FAILED',
      `cannot create the shadow read models: ${(error as Error).message}`,
      {hint: 'Run `streamctl provision` so the read-model migrations are applied.', cause: error},
    )
  }
}
