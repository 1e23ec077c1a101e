// The read side's stores against a real PostgreSQL database and Redis prefix of this file's own:
// exactly-once application of user events, the catalogue and its embeddings, the recommendation
// engine, and the two ways of invalidating cached recommendations.
import path from 'node:path'
import pg from 'pg'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {applyMigrations} from '../../src/lib/provision/migrations.js'
import {storeContentEvents} from '../../src/services/content-pipeline/catalogue-store.js'
import {RecommendationCacheInvalidator} from '../../src/services/projector/cache-invalidator.js'
import {foldIntoReadModels} from '../../src/lib/streamflow/read-model-store.js'
import {RecommendationEngine} from '../../src/services/recommender/engine.js'
import {DEFAULT_SWITCHES} from '../../src/lib/streamflow/api.js'
import {EmbeddedCatalogue} from '../../src/services/recommender/catalogue.js'
import {applyOnce} from '../../src/lib/streamflow/apply-once.js'
import {CATALOGUE_VERSION_KEY, recommendationKey} from '../../src/lib/streamflow/cache-keys.js'
import type {ContentEvent, UserEvent} from '../../src/lib/streamflow/event-types.js'
import {ROOT} from '../helpers/cli.js'
import {createTestDatabase, dropRedisPrefix, uniqueName, type TestDatabase} from '../helpers/infra.js'

const catalogue: ContentEvent[] = [
  {
    event_id: 'content-0001',
    type: 'content_added',
    content_id: 'final',
    title: 'Cup final highlights',
    genres: ['sports'],
    tags: ['football'],
    ts: '2026-01-01T19:00:00Z',
  },
  {
    event_id: 'content-0002',
    type: 'content_added',
    content_id: 'derby',
    title: 'Derby day',
    genres: ['sports'],
    tags: ['football', 'league'],
    ts: '2026-01-01T19:00:00Z',
  },
  {
    event_id: 'content-0003',
    type: 'content_added',
    content_id: 'standup',
    title: 'Standup special',
    genres: ['comedy'],
    ts: '2026-01-01T19:00:00Z',
  },
  {
    event_id: 'content-0004',
    type: 'content_added',
    content_id: 'baking',
    title: 'Bread at home',
    genres: ['lifestyle'],
    ts: '2026-01-01T19:00:00Z',
  },
]

const userEvents: UserEvent[] = [
  {
    event_id: 'evt-000001',
    type: 'view',
    user_id: 'ana',
    content_id: 'final',
    watch_seconds: 300,
    ts: '2026-01-01T20:00:05Z',
  },
  {event_id: 'evt-000002', type: 'like', user_id: 'ana', content_id: 'final', ts: '2026-01-01T20:00:20Z'},
  {event_id: 'evt-000003', type: 'search', user_id: 'ana', query: 'football', ts: '2026-01-01T20:00:30Z'},
  {event_id: 'evt-000004', type: 'view', user_id: 'ben', content_id: 'standup', ts: '2026-01-01T20:01:10Z'},
  {event_id: 'evt-000005', type: 'view', user_id: 'ben', content_id: 'baking', ts: '2026-01-01T20:01:40Z'},
]

describe('read models', () => {
  let database: TestDatabase
  let pool: pg.Pool
  let redis: Redis
  const prefix = `${uniqueName('sctl_rm')}:`
  const where = {group: 'projector', topic: 'user-events', partition: 0}

  const readModels = async () => ({
    profiles: (
      await pool.query(
        'SELECT user_id, views, likes, searches, recommendation_requests, watch_seconds FROM profiles ORDER BY user_id',
      )
    ).rows,
    affinity: (await pool.query('SELECT user_id, genre, score FROM genre_affinity ORDER BY user_id, genre')).rows,
    trending: (
      await pool.query('SELECT window_start, content_id, views, likes FROM trending ORDER BY window_start, content_id')
    ).rows,
  })

  beforeAll(async () => {
    database = await createTestDatabase('sctl_rm')
    pool = new pg.Pool({connectionString: database.url, max: 4})
    const client = await pool.connect()
    await applyMigrations(client, path.join(ROOT, 'stacks/reference/migrations'))
    client.release()
    redis = new Redis('redis://127.0.0.1:6379', {keyPrefix: prefix})
  })
  afterAll(async () => {
    redis?.disconnect()
    await pool?.end()
    await dropRedisPrefix('redis://127.0.0.1:6379', prefix)
    await database?.drop()
  })

  it('stores content with deterministic unit-length embeddings, once per offset', async () => {
    const messages = catalogue.map((value, offset) => ({offset, value}))
    const first = await applyOnce(
      pool,
      {group: 'content-pipeline', topic: 'content-events', partition: 0},
      messages,
      storeContentEvents,
    )
    expect(first).toMatchObject({applied: 4, skipped: 0, nextOffset: 4})
    const again = await applyOnce(
      pool,
      {group: 'content-pipeline', topic: 'content-events', partition: 0},
      messages,
      storeContentEvents,
    )
    expect(again).toMatchObject({applied: 0, skipped: 4, nextOffset: 4})
    const rows = await pool.query<{content_id: string; dims: number; vector: number[]}>(
      'SELECT content_id, dims, vector FROM embeddings ORDER BY content_id',
    )
    expect(rows.rows.map((row) => row.content_id)).toEqual(['baking', 'derby', 'final', 'standup'])
    for (const row of rows.rows) expect(Math.hypot(...row.vector)).toBeCloseTo(1, 4)
  })

  it('folds user events into profiles, affinity and windowed trending, and a replay of the same offsets changes nothing', async () => {
    const messages = userEvents.map((value, offset) => ({offset, value}))
    const fold = foldIntoReadModels(60_000)
    const first = await applyOnce(pool, where, messages.slice(0, 3), fold)
    expect(first.ids).toEqual(['ana'])
    // The redelivery overlaps what was applied: only offsets 3 and 4 are new.
    const second = await applyOnce(pool, where, messages, fold)
    expect(second).toMatchObject({applied: 2, skipped: 3, nextOffset: 5, ids: ['ben']})
    const built = await readModels()
    expect(built.profiles).toEqual([
      {user_id: 'ana', views: '1', likes: '1', searches: '1', recommendation_requests: '0', watch_seconds: 300},
      {user_id: 'ben', views: '2', likes: '0', searches: '0', recommendation_requests: '0', watch_seconds: 0},
    ])
    expect(built.affinity).toEqual([
      {user_id: 'ana', genre: 'sports', score: 4.5},
      {user_id: 'ben', genre: 'comedy', score: 1},
      {user_id: 'ben', genre: 'lifestyle', score: 1},
    ])
    expect(built.trending.map((row) => [row.window_start.toISOString(), row.content_id, row.views, row.likes])).toEqual(
      [
        ['2026-01-01T20:00:00.000Z', 'final', '1', '1'],
        ['2026-01-01T20:01:00.000Z', 'baking', '1', '0'],
        ['2026-01-01T20:01:00.000Z', 'standup', '1', '0'],
      ],
    )
    const replay = await applyOnce(pool, where, messages, fold)
    expect(replay).toMatchObject({applied: 0, skipped: 5})
    expect(await readModels()).toEqual(built)
    // The same events produced again at new offsets (a client retry, a file replayed twice) count once.
    const reproduced = await applyOnce(
      pool,
      where,
      userEvents.map((value, index) => ({offset: 5 + index, value})),
      fold,
    )
    expect(reproduced).toMatchObject({applied: 5, ids: [], nextOffset: 10})
    expect(await readModels()).toEqual(built)
  })

  it('ranks content by the user affinity blended with trending, and caches vector searches when switched on', async () => {
    const engine = new RecommendationEngine(pool, redis, new EmbeddedCatalogue(pool, redis), {
      limit: 3,
      trendingWeight: 0.2,
      trendingWindows: 5,
      windowMs: 60_000,
      searchK: 50,
      vectorSearch: {baseMs: 0, maxMs: 0, saturation: 1},
      cpuIterations: 1000,
      queryCacheTtlSeconds: 60,
    })
    const {costs} = DEFAULT_SWITCHES
    const ana = await engine.recommend('ana', {dbDelayMs: 0, queryResultCache: false, costs})
    expect(
      ana.items
        .slice(0, 2)
        .map((item) => item.content_id)
        .sort(),
    ).toEqual(['derby', 'final'])
    expect(ana.vectorSearch).toBe('searched')
    const stored = await pool.query('SELECT items FROM recommendations WHERE user_id = $1', ['ana'])
    expect(stored.rows[0].items).toEqual(ana.items)
    expect((await engine.recommend('ana', {dbDelayMs: 0, queryResultCache: true, costs})).vectorSearch).toBe('searched')
    const cached = await engine.recommend('ana', {dbDelayMs: 0, queryResultCache: true, costs})
    expect(cached).toEqual({items: ana.items, vectorSearch: 'cached'})
    // A new catalogue version (content announced) makes the cached search miss.
    await redis.incr(CATALOGUE_VERSION_KEY)
    expect((await engine.recommend('ana', {dbDelayMs: 0, queryResultCache: true, costs})).vectorSearch).toBe('searched')
    const cold = await engine.recommend('nobody', {dbDelayMs: 0, queryResultCache: false, costs})
    expect(cold.items[0]!.content_id).toBe('final')
  })

  it('invalidates every cached recommendation at once, or spreads their expiry when gradual', async () => {
    const invalidator = new RecommendationCacheInvalidator(redis, prefix)
    const fill = async () => {
      for (let index = 0; index < 50; index++) await redis.set(recommendationKey(`u${index}`), '{}', 'EX', 300)
    }
    await fill()
    expect(await invalidator.forUsers(['u1', 'u2'])).toBe(2)
    expect(await invalidator.all('all-at-once', 0, 'a')).toEqual({mode: 'all-at-once', keys: 48, spreadMs: 0})
    expect(await redis.exists(recommendationKey('u10'))).toBe(0)
    await fill()
    expect(await invalidator.all('gradual', 2000, 'b')).toEqual({mode: 'gradual', keys: 50, spreadMs: 2000})
    const ttls = await Promise.all(Array.from({length: 50}, (_, index) => redis.pttl(recommendationKey(`u${index}`))))
    const alive = ttls.filter((ttl) => ttl > 0)
    expect(alive.length).toBeGreaterThan(25)
    expect(Math.max(...alive)).toBeLessThanOrEqual(2000)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const left = await Promise.all(Array.from({length: 50}, (_, index) => redis.exists(recommendationKey(`u${index}`))))
    expect(left.every((exists) => exists === 0)).toBe(true)
  })
})
