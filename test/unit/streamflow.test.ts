import {describe, expect, it} from 'vitest'
import {cosine, EMBEDDING_DIMS, embedAffinity, embedContent} from '../../src/lib/streamflow/embedding.js'
import {contentIdsOf, foldUserEvents, viewAffinity, windowStart} from '../../src/lib/streamflow/fold.js'
import {planInvalidation} from '../../src/lib/streamflow/invalidation.js'
import {nearestContent, rankContent} from '../../src/lib/streamflow/ranking.js'
import type {UserEvent} from '../../src/lib/streamflow/event-types.js'
import {
  AbandonedError,
  PoolOverloadedError,
  profileQueryLatencyMs,
  vectorSearchLatencyMs,
  WorkerPool,
} from '../../src/services/recommender/bottleneck.js'

const matchReport = {
  genres: ['sports'],
  tags: ['football', 'highlights'],
  title: 'Cup final highlights',
  description: 'Every goal of the final',
}
const gardening = {
  genres: ['lifestyle'],
  tags: ['garden'],
  title: 'Growing tomatoes',
  description: 'A season in the vegetable patch',
}

describe('content embeddings', () => {
  it('are deterministic, unit length and of the documented size', () => {
    const a = embedContent(matchReport)
    const b = embedContent({...matchReport})
    expect([...a]).toEqual([...b])
    expect(a).toHaveLength(EMBEDDING_DIMS)
    expect(Math.hypot(...a)).toBeCloseTo(1, 9)
  })

  it('place content sharing genre and tags closer than unrelated content', () => {
    const similar = embedContent({genres: ['sports'], tags: ['football'], title: 'League round-up'})
    expect(cosine(embedContent(matchReport), similar)).toBeGreaterThan(
      cosine(embedContent(matchReport), embedContent(gardening)),
    )
  })

  it('gives a user who likes a genre the highest similarity to content of that genre', () => {
    const user = embedAffinity({sports: 5, lifestyle: 0.5})
    expect(cosine(user, embedContent(matchReport))).toBeGreaterThan(cosine(user, embedContent(gardening)))
    expect([...embedAffinity({})].every((value) => value === 0)).toBe(true)
  })
})

describe('ranking', () => {
  const candidates = [
    {contentId: 'match', vector: embedContent(matchReport)},
    {contentId: 'garden', vector: embedContent(gardening)},
  ]

  it('ranks by similarity to the affinity vector when trending has no weight', () => {
    const ranked = rankContent(embedAffinity({sports: 4}), candidates, new Map([['garden', 100]]), {
      trendingWeight: 0,
      limit: 10,
    })
    expect(ranked.map((item) => item.content_id)).toEqual(['match', 'garden'])
  })

  it('lets trending win when it carries the weight, and serves trending to a user with no history', () => {
    const ranked = rankContent(
      embedAffinity({sports: 4}),
      candidates,
      new Map([
        ['garden', 100],
        ['match', 1],
      ]),
      {trendingWeight: 0.9, limit: 10},
    )
    expect(ranked[0]!.content_id).toBe('garden')
    const coldStart = rankContent(embedAffinity({}), candidates, new Map([['garden', 3]]), {
      trendingWeight: 0.3,
      limit: 1,
    })
    expect(coldStart).toEqual([{content_id: 'garden', score: 0.3}])
  })

  it('selects the same k nearest items as a full sort would, ties by id', () => {
    const many = Array.from({length: 300}, (_, index) => ({
      contentId: `c${String(index).padStart(3, '0')}`,
      vector: embedContent({genres: [['sports', 'news', 'comedy'][index % 3]!], tags: [`t${index % 7}`]}),
    }))
    const user = embedAffinity({sports: 2, news: 1})
    const full = many
      .map((candidate) => ({content_id: candidate.contentId, similarity: cosine(user, candidate.vector)}))
      .sort((a, b) => b.similarity - a.similarity || (a.content_id < b.content_id ? -1 : 1))
    expect(nearestContent(user, many, 25)).toEqual(full.slice(0, 25))
    expect(nearestContent(user, many, 0)).toEqual([])
  })

  it('leaves out excluded items and respects the limit', () => {
    const ranked = rankContent(embedAffinity({sports: 4}), candidates, new Map(), {
      trendingWeight: 0.2,
      limit: 5,
      exclude: new Set(['match']),
    })
    expect(ranked.map((item) => item.content_id)).toEqual(['garden'])
  })
})

describe('the projector fold', () => {
  const genres = new Map([
    ['c1', ['sports', 'news']],
    ['c2', ['comedy']],
  ])
  const events: UserEvent[] = [
    {
      event_id: 'evt-00001',
      type: 'view',
      user_id: 'u1',
      content_id: 'c1',
      watch_seconds: 600,
      ts: '2026-01-01T20:00:10Z',
    },
    {event_id: 'evt-00002', type: 'like', user_id: 'u1', content_id: 'c1', ts: '2026-01-01T20:00:50Z'},
    {event_id: 'evt-00003', type: 'search', user_id: 'u1', query: 'cup final', ts: '2026-01-01T20:01:05Z'},
    {event_id: 'evt-00004', type: 'recommendation_request', user_id: 'u2', ts: '2026-01-01T20:02:00Z'},
    {event_id: 'evt-00005', type: 'view', user_id: 'u2', content_id: 'c2', ts: '2026-01-01T20:01:30Z'},
    {event_id: 'evt-00002', type: 'like', user_id: 'u1', content_id: 'c1', ts: '2026-01-01T20:00:50Z'},
  ]

  it('counts each kind of event into the profiles once, de-duplicating by event id', () => {
    const delta = foldUserEvents(events, genres, 60_000)
    expect(delta.events).toBe(5)
    expect(delta.profiles.get('u1')).toEqual({
      views: 1,
      likes: 1,
      searches: 1,
      recommendation_requests: 0,
      watch_seconds: 600,
      last_event_at: '2026-01-01T20:01:05Z',
    })
    expect(delta.profiles.get('u2')).toMatchObject({
      views: 1,
      recommendation_requests: 1,
      last_event_at: '2026-01-01T20:02:00Z',
    })
  })

  it('adds genre affinity from views (more for long watches) and likes', () => {
    const delta = foldUserEvents(events, genres, 60_000)
    expect(viewAffinity(600)).toBe(2)
    expect(Object.fromEntries(delta.affinity.get('u1')!)).toEqual({sports: 5, news: 5})
    expect(Object.fromEntries(delta.affinity.get('u2')!)).toEqual({comedy: 1})
  })

  it('counts views and likes per content item in tumbling windows', () => {
    const delta = foldUserEvents(events, genres, 60_000)
    expect(windowStart('2026-01-01T20:00:59.999Z', 60_000)).toBe('2026-01-01T20:00:00.000Z')
    expect([...delta.trending.values()]).toEqual([
      {windowStart: '2026-01-01T20:00:00.000Z', contentId: 'c1', views: 1, likes: 1},
      {windowStart: '2026-01-01T20:01:00.000Z', contentId: 'c2', views: 1, likes: 0},
    ])
    expect(contentIdsOf(events)).toEqual(['c1', 'c2'])
  })
})

describe('cache invalidation plans', () => {
  const keys = Array.from({length: 200}, (_, index) => `p:rec:u${index}`)

  it('deletes everything now when all at once', () => {
    expect(planInvalidation(keys, 'all-at-once', 5000).every((step) => step.expireAfterMs === 0)).toBe(true)
  })

  it('spreads expiries over the window when gradual, deterministically', () => {
    const plan = planInvalidation(keys, 'gradual', 5000, 'a1')
    const delays = plan.map((step) => step.expireAfterMs)
    expect(Math.min(...delays)).toBeGreaterThan(0)
    expect(Math.max(...delays)).toBeLessThanOrEqual(5000)
    expect(delays.filter((delay) => delay <= 2500).length).toBeGreaterThan(60)
    expect(delays.filter((delay) => delay > 2500).length).toBeGreaterThan(60)
    expect(planInvalidation(keys, 'gradual', 5000, 'a1')).toEqual(plan)
  })
})

describe('the calibrated bottlenecks', () => {
  it('runs at most `workers` rankings at once, queues the rest in order, and refuses beyond the queue limit', async () => {
    const pool = new WorkerPool()
    const size = {workers: 2, queueLimit: 2}
    const releases: Array<() => void> = []
    const started: number[] = []
    const job = (id: number) =>
      pool.run(
        size,
        () =>
          new Promise<number>((resolve) => {
            started.push(id)
            releases.push(() => resolve(id))
          }),
      )
    const runs = [job(1), job(2), job(3), job(4)]
    await Promise.resolve()
    expect({started, active: pool.active, queued: pool.queued}).toEqual({started: [1, 2], active: 2, queued: 2})
    await expect(job(5)).rejects.toBeInstanceOf(PoolOverloadedError)
    releases.shift()!()
    await runs[0]
    await new Promise((resolve) => setImmediate(resolve))
    expect({started, active: pool.active, queued: pool.queued}).toEqual({started: [1, 2, 3], active: 2, queued: 1})
    while (releases.length > 0) {
      releases.shift()!()
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await Promise.all(runs)).toEqual([1, 2, 3, 4])
    expect({active: pool.active, queued: pool.queued}).toEqual({active: 0, queued: 0})
  })

  it('does not run a ranking whose caller gave up while it waited: its worker goes to the next', async () => {
    const pool = new WorkerPool()
    const size = {workers: 1, queueLimit: 10}
    let release!: () => void
    const ran: string[] = []
    const first = pool.run(size, () => new Promise<void>((resolve) => (release = resolve)))
    let gone = false
    const abandoned = pool.run(
      size,
      async () => void ran.push('abandoned'),
      () => gone,
    )
    const next = pool.run(size, async () => void ran.push('next'))
    gone = true
    release()
    await first
    await expect(abandoned).rejects.toBeInstanceOf(AbandonedError)
    await next
    expect(ran).toEqual(['next'])
    expect({active: pool.active, queued: pool.queued}).toEqual({active: 0, queued: 0})
  })

  it('draws profile queries log-uniformly within the published 50-500 ms, and grows vector search with concurrency', () => {
    expect(profileQueryLatencyMs(50, 500, () => 0)).toBeCloseTo(50)
    expect(profileQueryLatencyMs(50, 500, () => 0.5)).toBeCloseTo(Math.sqrt(50 * 500))
    expect(profileQueryLatencyMs(50, 500, () => 0.999_999)).toBeCloseTo(500, 0)
    expect(profileQueryLatencyMs(0, 0, () => 0.5)).toBe(0)
    const model = {baseMs: 150, maxMs: 1000, saturation: 18}
    expect([1, 18, 40].map((inFlight) => vectorSearchLatencyMs(inFlight, model))).toEqual([150, 1000, 1000])
    expect(vectorSearchLatencyMs(9.5, model)).toBeCloseTo(575)
  })
})
