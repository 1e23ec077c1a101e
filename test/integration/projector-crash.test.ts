// PRODUCT.md §7: the projector killed with SIGKILL at random points while events stream in ends
// with the read model a clean fold of the same events gives: nothing lost, nothing counted twice.
// The projector runs as a real `streamctl serve projector` process against the embedded broker.
import {execa, type ResultPromise} from 'execa'
import type {Kafka} from 'kafkajs'
import path from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {applyMigrations} from '../../src/lib/provision/migrations.js'
import {seededRandom} from '../../src/lib/random/seeded.js'
import {storeContentEvents} from '../../src/services/content-pipeline/catalogue-store.js'
import {contentDropEvents} from '../../src/lib/streamflow/content-drop.js'
import {foldUserEvents} from '../../src/lib/streamflow/fold.js'
import {openKafka} from '../../src/services/runtime/connections.js'
import type {UserEvent} from '../../src/lib/streamflow/event-types.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {createTestDatabase, dropRedisPrefix, uniqueName, type TestDatabase} from '../helpers/infra.js'
import {eventually} from '../helpers/services.js'
import {printFigure, scaled} from '../helpers/trials.js'

const REDIS_URL = 'redis://127.0.0.1:6379'
const WINDOW_MS = 60_000
// RELIABILITY_TRIALS scales the stream and the number of kills together.
const BATCHES = scaled(40)
const PER_BATCH = 150
const KILLS = scaled(3)

function makeEvents(random: () => number, contentIds: string[]): UserEvent[] {
  const types = ['view', 'view', 'view', 'like', 'search', 'recommendation_request'] as const
  return Array.from({length: BATCHES * PER_BATCH}, (_, index) => {
    const type = types[Math.floor(random() * types.length)]!
    const base = {
      event_id: `evt-crash-${String(index).padStart(6, '0')}`,
      type,
      user_id: `user-${Math.floor(random() * 50)}`,
      ts: new Date(Date.UTC(2026, 0, 1, 20) + index * 97).toISOString(),
    }
    if (type === 'view')
      return {
        ...base,
        content_id: contentIds[Math.floor(random() * contentIds.length)]!,
        watch_seconds: Math.floor(random() * 900),
      }
    if (type === 'like') return {...base, content_id: contentIds[Math.floor(random() * contentIds.length)]!}
    if (type === 'search') return {...base, query: 'football'}
    return base
  })
}

describe('projector under SIGKILL', () => {
  let broker: BrokerProcess
  let database: TestDatabase
  let pool: pg.Pool
  let kafka: Kafka
  const prefix = `${uniqueName('sctl_crash')}:`
  let projector: ResultPromise | undefined

  const startProjector = () => {
    projector = execa(process.execPath, [BIN, 'serve', 'projector', '--port', '0'], {
      cwd: ROOT,
      reject: false,
      stdin: 'ignore',
      env: {
        CI: '1',
        DATABASE_URL: database.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        KAFKA_BROKERS: broker.brokers.join(','),
        TRENDING_WINDOW_MS: String(WINDOW_MS),
        SESSION_TIMEOUT_MS: '2000',
      },
    })
  }
  const kill = async () => {
    projector?.kill('SIGKILL')
    await projector
  }

  beforeAll(async () => {
    ;[broker, database] = await Promise.all([startBrokerProcess(), createTestDatabase('sctl_crash')])
    pool = new pg.Pool({connectionString: database.url, max: 2})
    const client = await pool.connect()
    await applyMigrations(client, path.join(ROOT, 'stacks/reference/migrations'))
    await storeContentEvents(client, contentDropEvents(20, 'crash'))
    client.release()
    kafka = await openKafka(broker.brokers, 'projector-crash-test')
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [
        {topic: 'user-events', numPartitions: 3},
        {topic: 'content-announcements', numPartitions: 1},
      ],
    })
    await admin.disconnect()
  })
  afterAll(async () => {
    await kill()
    await pool?.end()
    await broker?.cleanup()
    await dropRedisPrefix(REDIS_URL, prefix)
    await database?.drop()
  })

  it('ends with the read model of a clean fold, however often it is killed mid-stream', async () => {
    const contentIds = (
      await pool.query<{content_id: string}>('SELECT content_id FROM content ORDER BY content_id')
    ).rows.map((row) => row.content_id)
    const random = seededRandom(7)
    const events = makeEvents(random, contentIds)
    const consumed = async () =>
      Number(
        (
          await pool.query<{total: string}>(
            "SELECT coalesce(sum(next_offset), 0) AS total FROM projector_offsets WHERE consumer_group = 'projector' AND topic = 'user-events'",
          )
        ).rows[0]!.total,
      )
    const producer = kafka.producer()
    await producer.connect()
    startProjector()
    const produceBatch = async (batch: number) => {
      await producer.send({
        topic: 'user-events',
        acks: -1,
        messages: events
          .slice(batch * PER_BATCH, (batch + 1) * PER_BATCH)
          .map((event) => ({key: event.user_id, value: JSON.stringify(event)})),
      })
      await new Promise((resolve) => setTimeout(resolve, 20 + random() * 80))
    }
    // KILLS rounds: events keep coming while the projector (re)starts; once it has applied something
    // new, it is killed a random moment later — so every kill lands mid-stream, whatever the load.
    let batch = 0
    let last = 0
    for (let round = 0; round < KILLS; round++) {
      const roundEnd = Math.round(((round + 1) * BATCHES) / (KILLS + 1))
      while (batch < roundEnd) await produceBatch(batch++)
      last = await eventually(
        async () => {
          const now = await consumed()
          return now > last ? now : undefined
        },
        60_000,
        'progress before a kill',
      )
      await new Promise((resolve) => setTimeout(resolve, random() * 150))
      await kill()
      if (process.env.TEST_PROGRESS)
        console.error(`kill ${round + 1} at ${last} of ${events.length} events, ${new Date().toISOString()}`)
      last = await consumed()
      startProjector()
    }
    while (batch < BATCHES) await produceBatch(batch++)
    await producer.disconnect()
    expect(last).toBeLessThan(events.length)

    await eventually(
      async () => ((await consumed()) === events.length ? true : undefined),
      60_000,
      'the projector to consume every event',
    )

    const contentGenres = new Map(
      (await pool.query<{content_id: string; genres: string[]}>('SELECT content_id, genres FROM content')).rows.map(
        (row) => [row.content_id, row.genres],
      ),
    )
    const clean = foldUserEvents(events, contentGenres, WINDOW_MS)
    const profiles = (
      await pool.query(
        'SELECT user_id, views, likes, searches, recommendation_requests, watch_seconds FROM profiles ORDER BY user_id',
      )
    ).rows
    expect(
      profiles.map((row) => [
        row.user_id,
        Number(row.views),
        Number(row.likes),
        Number(row.searches),
        Number(row.recommendation_requests),
        row.watch_seconds,
      ]),
    ).toEqual(
      [...clean.profiles.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([user, profile]) => [
          user,
          profile.views,
          profile.likes,
          profile.searches,
          profile.recommendation_requests,
          profile.watch_seconds,
        ]),
    )
    const affinity = (
      await pool.query<{user_id: string; genre: string; score: number}>(
        'SELECT user_id, genre, score FROM genre_affinity ORDER BY user_id, genre',
      )
    ).rows
    const expectedAffinity = [...clean.affinity.entries()]
      .flatMap(([user, byGenre]) => [...byGenre.entries()].map(([genre, score]) => ({user_id: user, genre, score})))
      .sort((a, b) => (a.user_id === b.user_id ? (a.genre < b.genre ? -1 : 1) : a.user_id < b.user_id ? -1 : 1))
    expect(affinity.map((row) => ({...row, score: Math.round(row.score * 1e6)}))).toEqual(
      expectedAffinity.map((row) => ({...row, score: Math.round(row.score * 1e6)})),
    )
    const trending = (await pool.query('SELECT window_start, content_id, views, likes FROM trending')).rows
    const totals = (rows: Array<{views: number | string; likes: number | string}>) =>
      rows.reduce<{views: number; likes: number}>(
        (sum, row) => ({views: sum.views + Number(row.views), likes: sum.likes + Number(row.likes)}),
        {views: 0, likes: 0},
      )
    expect(trending).toHaveLength(clean.trending.size)
    expect(totals(trending)).toEqual(totals([...clean.trending.values()]))
    printFigure('projector-kill9', {trials: KILLS, failures: 0, events: events.length})
    // Restarts of a real process on a shared 2-core machine: a generous budget, no timing asserted.
  }, 240_000)
})
