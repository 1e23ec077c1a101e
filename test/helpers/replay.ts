// For replay tests: a database with the reference migrations and a known catalogue, topics on the
// embedded broker, and `streamctl replay` run as a user runs it (CI mode, --json).
import path from 'node:path'
import pg from 'pg'
import type {Kafka} from 'kafkajs'
import {applyMigrations} from '../../src/lib/provision/migrations.js'
import {storeContentEvents} from '../../src/services/content-pipeline/catalogue-store.js'
import {contentDropEvents} from '../../src/lib/streamflow/content-drop.js'
import type {ContentEvent} from '../../src/lib/streamflow/event-types.js'
import type {ErrorJson} from '../../src/lib/errors.js'
import type {ReplaySummary} from '../../src/lib/replay/replay-summary.js'
import {ROOT, runCli, type CliResult} from './cli.js'
import {createTestDatabase, type TestDatabase} from './infra.js'

/** A database with the read-model migrations and `contentDropEvents(50, 'catalogue')` (the fixtures' content). */
export async function replayDatabase(
  prefix: string,
  content: ContentEvent[] = contentDropEvents(50, 'catalogue'),
): Promise<TestDatabase & {pool: pg.Pool}> {
  const database = await createTestDatabase(prefix)
  const pool = new pg.Pool({connectionString: database.url, max: 3})
  const client = await pool.connect()
  await applyMigrations(client, path.join(ROOT, 'stacks/reference/migrations'))
  await storeContentEvents(client, content)
  client.release()
  return {
    ...database,
    pool,
    drop: async () => {
      await pool.end()
      await database.drop()
    },
  }
}

/** Topics for replay tests. `keep: true` sets retention.ms -1, for recordings whose original times are older than a week. */
export async function createTopics(
  kafka: Kafka,
  topics: Array<{topic: string; numPartitions: number; keep?: boolean}>,
): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: topics.map(({keep, ...topic}) =>
      keep ? {...topic, configEntries: [{name: 'retention.ms', value: '-1'}]} : topic,
    ),
    waitForLeaders: true,
  })
  await admin.disconnect()
}

/** `streamctl replay … --json`: the summary on success, the error (code, message, details) otherwise. */
export async function replayCli(
  args: string[],
  timeoutMs = 120_000,
): Promise<CliResult & {summary?: ReplaySummary; error?: ErrorJson['error']}> {
  const result = await runCli(['replay', ...args, '--json'], {env: {CI: '1'}, timeoutMs})
  let parsed: (ReplaySummary & Partial<ErrorJson>) | undefined
  try {
    parsed = JSON.parse(result.stdout) as ReplaySummary & Partial<ErrorJson>
  } catch {
    parsed = undefined
  }
  if (parsed?.error) return {...result, error: parsed.error}
  return {...result, ...(parsed ? {summary: parsed} : {})}
}

export async function tableRows(pool: pg.Pool, sql: string): Promise<Array<Record<string, unknown>>> {
  return (await pool.query(sql)).rows as Array<Record<string, unknown>>
}
