// npm run bench:replay — events/s folded into the read models by `streamctl replay --target
// projector` (shadow tables, the projector's fold, swap) for a generated one-day recording, next to
// a raw kafkajs consume of the same topic range measured in the same run (the ceiling: reading
// without folding). Target (PRODUCT.md §6): >= 20,000 events/s folded.
// BENCH_EVENTS (default 1000000) sets the recording's size. Needs PostgreSQL on 127.0.0.1:5432.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import pg from 'pg'
import {Kafka, logLevel} from 'kafkajs'
import {printTable, writeResult, startBroker} from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const bin = path.join(root, 'bin/run.js')
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const partitions = 6
const {applyMigrations} = await import(path.join(root, 'dist/lib/provision/migrations.js'))
const {storeContentEvents} = await import(path.join(root, 'dist/services/content-pipeline/catalogue-store.js'))
const {contentDropEvents} = await import(path.join(root, 'dist/lib/streamflow/content-drop.js'))

function cli(args) {
  const result = spawnSync(process.execPath, [bin, ...args, '--json'], {
    env: {...process.env, CI: '1'},
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0)
    throw new Error(`streamctl ${args.join(' ')} exited ${result.status}: ${result.stdout}${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** Reads every record of the topic with a kafkajs consumer group; seconds from subscribe to the last record. */
async function rawConsume(kafka, topic, expected) {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${process.pid}`,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
  })
  await consumer.connect()
  await consumer.subscribe({topic, fromBeginning: true})
  const start = process.hrtime.bigint()
  let seen = 0
  await new Promise((resolve) => {
    consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({batch}) => {
        for (const message of batch.messages) JSON.parse(message.value.toString('utf8'))
        seen += batch.messages.length
        if (seen >= expected) resolve()
      },
    })
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await consumer.disconnect()
  return seconds
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'streamctl-bench-replay-'))
const database = `sctl_bench_replay_${process.pid}`
const admin = new pg.Client({host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres'})
await admin.connect()
await admin.query(`CREATE DATABASE "${database}"`)
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`
const broker = await startBroker(path.join(tmp, 'broker'))
const brokers = `127.0.0.1:${broker.port}`
try {
  const client = new pg.Client({connectionString: databaseUrl})
  await client.connect()
  await applyMigrations(client, path.join(root, 'stacks/reference/migrations'))
  await storeContentEvents(client, contentDropEvents(500, 'catalogue'))
  await client.end()
  const kafka = new Kafka({clientId: 'bench-replay', brokers: [brokers], logLevel: logLevel.NOTHING})
  const kafkaAdmin = kafka.admin()
  await kafkaAdmin.connect()
  await kafkaAdmin.createTopics({topics: [{topic: 'user-events', numPartitions: partitions}], waitForLeaders: true})
  await kafkaAdmin.disconnect()

  const file = path.join(tmp, 'day.ndjson')
  cli([
    'fixtures',
    'generate',
    '--events',
    String(events),
    '--users',
    String(Math.max(100, Math.round(events / 20))),
    '--content',
    '500',
    '--out',
    file,
  ])
  // The recording's day (fixtures generate's default, 2026-11-24) may be older than the topic's week
  // of retention, which would delete it under the replay: the records are stamped with the send time.
  const loaded = cli([
    'replay',
    '--source',
    file,
    '--target',
    'topic:user-events',
    '--speed',
    'max',
    '--timestamps',
    'now',
    '--brokers',
    brokers,
  ])
  console.log(
    `loaded ${loaded.events} events into user-events (${partitions} partitions) at ${loaded.eventsPerSecond} events/s`,
  )

  const rawSeconds = await rawConsume(kafka, 'user-events', events)
  const started = process.hrtime.bigint()
  const rebuilt = cli([
    'replay',
    '--from',
    'beginning',
    '--target',
    'projector',
    '--brokers',
    brokers,
    '--database-url',
    databaseUrl,
  ])
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
  const raw = Math.round(events / rawSeconds)
  const fold = rebuilt.eventsPerSecond
  console.log(
    `\nreplay of ${events} events (${partitions} partitions), folded into the read models vs a raw kafkajs consume of the same topic:\n`,
  )
  printTable(
    ['measure', 'events/s', 'seconds', 'note'],
    [
      ['raw kafkajs consume (JSON decode only)', raw, rawSeconds.toFixed(1), 'peer, same run'],
      [
        'replay --target projector (fold + swap)',
        fold,
        (rebuilt.durationMs / 1000).toFixed(1),
        `CLI wall ${wallSeconds.toFixed(1)} s incl. start`,
      ],
    ],
  )
  console.log(
    `\nfold / raw consume = ${(fold / raw).toFixed(2)}; target >= 20000 events/s folded: ${fold >= 20_000 ? 'met' : 'NOT met'}`,
  )
  writeResult('replay', {
    events,
    partitions,
    rawConsumeEventsPerSecond: raw,
    foldEventsPerSecond: fold,
    foldSeconds: rebuilt.durationMs / 1000,
    checksums: rebuilt.checksums,
  })
} finally {
  await broker.stop()
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
  await admin.end()
  rmSync(tmp, {recursive: true, force: true})
}
