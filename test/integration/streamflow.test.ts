// The StreamFlow read side end to end, against the real PostgreSQL, Redis and RabbitMQ (the gateway
// needs its queue) on this machine and the embedded broker as a child process, through the real
// gateway: user events → projector → read models → cached recommendations; content events → embeddings → announcement → invalidation (all at once or
// gradual, as switched); the tagger over gRPC behind the gateway route.
import {execa} from 'execa'
import type {Kafka} from 'kafkajs'
import pg from 'pg'
import type {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  AdminRoutes,
  GatewayRoutes,
  Metrics,
  type Recommendations,
  type VideoMetadata,
} from '../../src/lib/streamflow/api.js'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {SwitchesStore} from '../../src/services/runtime/switches.js'
import {recommendationKey} from '../../src/lib/streamflow/cache-keys.js'
import {openKafka} from '../../src/services/runtime/connections.js'
import type {ContentEvent, UserEvent} from '../../src/lib/streamflow/event-types.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {eventually, metricValue, startService} from '../helpers/services.js'
import {adminHeaders, authorized, createInferenceStack, type InferenceStack} from '../helpers/inference-stack.js'

const REDIS_URL = 'redis://127.0.0.1:6379'

const catalogue: ContentEvent[] = [
  {
    event_id: 'content-0001',
    type: 'content_added',
    content_id: 'cup-final',
    title: 'Cup final highlights',
    genres: ['sports'],
    tags: ['football'],
    ts: '2026-01-01T19:00:00Z',
  },
  {
    event_id: 'content-0002',
    type: 'content_added',
    content_id: 'derby-day',
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

const events: UserEvent[] = [
  {
    event_id: 'evt-000001',
    type: 'view',
    user_id: 'ana',
    content_id: 'cup-final',
    watch_seconds: 300,
    ts: '2026-01-01T20:00:05Z',
  },
  {event_id: 'evt-000002', type: 'like', user_id: 'ana', content_id: 'cup-final', ts: '2026-01-01T20:00:20Z'},
  {event_id: 'evt-000003', type: 'search', user_id: 'ana', query: 'football', ts: '2026-01-01T20:00:30Z'},
  {event_id: 'evt-000004', type: 'view', user_id: 'ben', content_id: 'standup', ts: '2026-01-01T20:01:10Z'},
  {event_id: 'evt-000005', type: 'recommendation_request', user_id: 'ben', ts: '2026-01-01T20:01:40Z'},
]

describe('StreamFlow read side', () => {
  let broker: BrokerProcess
  let stack: InferenceStack
  let pool: pg.Pool
  let redis: Redis
  let kafka: Kafka
  let switches: SwitchesStore
  let env: Record<string, string>
  const services: Record<string, RunningService> = {}

  const call = async (method: string, route: string, body?: unknown) => {
    // The admin routes take the gateway's admin token, every other one the viewer's API key.
    const headers = route.startsWith('/admin/') ? adminHeaders(stack) : authorized(stack.users.viewer!)
    const response = await fetch(`${services.gateway!.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return {status: response.status, body: (await response.json()) as Record<string, unknown>}
  }
  const metrics = async (service: string) => (await fetch(`${services[service]!.url}/metrics`)).text()
  const readModels = async () => ({
    profiles: (await pool.query('SELECT * FROM profiles ORDER BY user_id')).rows,
    affinity: (await pool.query('SELECT * FROM genre_affinity ORDER BY user_id, genre')).rows,
    trending: (await pool.query('SELECT * FROM trending ORDER BY window_start, content_id')).rows,
  })
  const startProjector = async () => (services.projector = await startService('projector', env))

  beforeAll(async () => {
    ;[broker, stack] = await Promise.all([
      startBrokerProcess(),
      createInferenceStack({users: {viewer: 'staff', ana: 'roomy'}}),
    ])
    pool = new pg.Pool({connectionString: stack.database.url, max: 3})
    redis = stack.redis
    const prefix = stack.prefix
    kafka = await openKafka(broker.brokers, 'streamflow-test')
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [
        {topic: 'user-events', numPartitions: 3},
        {topic: 'content-events', numPartitions: 1},
        {topic: 'content-announcements', numPartitions: 1},
      ],
    })
    await admin.disconnect()
    env = {
      ...(stack.env as Record<string, string>),
      KAFKA_BROKERS: broker.brokers.join(','),
      GRPC_PORT: '0',
      INVALIDATION_SPREAD_MS: '1500',
      LAG_INTERVAL_MS: '200',
    }
    switches = await SwitchesStore.open(REDIS_URL, prefix)
    services.tagger = await startService('tagger', env)
    services.recommender = await startService('recommender', env)
    services['content-pipeline'] = await startService('content-pipeline', env)
    await startProjector()
    services.gateway = await startService('gateway', {
      ...env,
      RECOMMENDER_URL: services.recommender.url,
      TAGGER_GRPC_ADDR: `127.0.0.1:${services.tagger.ports.grpc}`,
    })
  })
  afterAll(async () => {
    for (const name of ['gateway', 'projector', 'content-pipeline', 'recommender', 'tagger'])
      await services[name]?.close()
    await switches?.close()
    await pool?.end()
    await broker?.cleanup()
    await stack?.close()
  })

  it('stores content events with their embeddings', async () => {
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'content-events',
      messages: catalogue.map((event) => ({key: event.content_id, value: JSON.stringify(event)})),
    })
    await producer.disconnect()
    const rows = await eventually(
      async () => {
        const result = await pool.query<{content_id: string; dims: number}>(
          'SELECT content_id, dims FROM embeddings ORDER BY content_id',
        )
        return result.rowCount === 4 ? result.rows : undefined
      },
      20_000,
      'four embeddings',
    )
    expect(rows.map((row) => row.content_id)).toEqual(['baking', 'cup-final', 'derby-day', 'standup'])
  })

  it('validates events, projects them, and serves recommendations: a miss, then a hit, both in /metrics', async () => {
    const bad = await call('POST', GatewayRoutes.events, {
      event_id: 'evt-bad-0001',
      type: 'view',
      user_id: 'ana',
      ts: '2026-01-01T20:00:00Z',
    })
    expect(bad.status).toBe(400)
    expect(String((bad.body.error as {message: string}).message)).toMatch(/content_id/)
    for (const event of events) {
      const accepted = await call('POST', GatewayRoutes.events, event)
      expect(accepted.status).toBe(202)
      expect(accepted.body.event_id).toBe(event.event_id)
    }
    // kcat, an independent client, reads them back keyed by user.
    const read = await execa(
      'kcat',
      ['-C', '-b', broker.brokers[0]!, '-t', 'user-events', '-o', 'beginning', '-e', '-q', '-f', '%k %s\\n'],
      {timeout: 20_000},
    )
    const records = read.stdout
      .trim()
      .split('\n')
      .map((line) => ({
        key: line.slice(0, line.indexOf(' ')),
        value: JSON.parse(line.slice(line.indexOf(' ') + 1)) as UserEvent,
      }))
    expect(records.map((record) => record.value.event_id).sort()).toEqual(events.map((event) => event.event_id))
    for (const record of records) expect(record.key).toBe(record.value.user_id)
    await eventually(
      async () =>
        (await pool.query("SELECT 1 FROM profiles WHERE user_id = 'ben' AND recommendation_requests = 1")).rowCount ===
        1
          ? true
          : undefined,
      20_000,
      'the projection',
    )
    expect((await pool.query("SELECT views, likes, searches FROM profiles WHERE user_id = 'ana'")).rows).toEqual([
      {views: '1', likes: '1', searches: '1'},
    ])

    expect((await fetch(`${services.gateway!.url}${GatewayRoutes.recommendations('ana')}`)).status).toBe(401)
    const first = await call('GET', GatewayRoutes.recommendations('ana'))
    expect(first.status).toBe(200)
    expect(first.body.cache).toBe('miss')
    const items = (first.body as unknown as Recommendations).items
    expect(
      items
        .slice(0, 2)
        .map((item) => item.content_id)
        .sort(),
    ).toEqual(['cup-final', 'derby-day'])
    // The miss filled Redis (not awaited), so the next answers are hits: from Redis until the gateway keeps a
    // copy, then from its near cache. Redis may tell the gateway of the fill's own SET just after a hit's reply
    // (the two travel on different connections), which rightly drops that copy, so the test waits for a near hit
    // and counts every answer it got.
    const seen = {miss: 1, hit: 0}
    const again = async () => {
      const answer = await call('GET', GatewayRoutes.recommendations('ana'))
      expect(answer.status).toBe(200)
      seen[answer.body.cache as 'miss' | 'hit']++
      return answer
    }
    const second = await eventually(
      async () => {
        const answer = await again()
        return answer.body.cache === 'hit' ? answer : undefined
      },
      5000,
      'the cache filled',
    )
    expect(second.body).toEqual({...first.body, cache: 'hit'})
    const text = await eventually(
      async () => {
        expect((await again()).body).toEqual(second.body)
        const exposition = await metrics('gateway')
        return (metricValue(exposition, `${Metrics.nearCacheHits}{cache="recommendations"}`) ?? 0) >= 1
          ? exposition
          : undefined
      },
      5000,
      'a hit served from the near cache',
    )
    expect(metricValue(text, `${Metrics.cacheMisses}{cache="recommendations"}`)).toBe(seen.miss)
    expect(metricValue(text, `${Metrics.cacheHits}{cache="recommendations"}`)).toBe(seen.hit)
    expect(seen.miss).toBe(1)
    expect(metricValue(text, `${Metrics.nearCacheEntries}{cache="recommendations"}`)).toBe(1)
    const lag = await eventually(
      async () => {
        const projector = await metrics('projector')
        const total = [0, 1, 2].map((partition) =>
          metricValue(
            projector,
            `${Metrics.consumerLag}{group="projector",topic="user-events",partition="${partition}"}`,
          ),
        )
        return total.every((value) => value === 0) ? total : undefined
      },
      10_000,
      'consumer lag 0',
    )
    expect(lag).toEqual([0, 0, 0])
  })

  it('lets a key read recommendations and send events for its own user only, unless its tier grants readsAllUsers', async () => {
    const own = stack.users.ana!
    const asOwn = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${services.gateway!.url}${route}`, {
        method,
        headers: authorized(own),
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return {status: response.status, body: (await response.json()) as {error?: {code: string; message: string}}}
    }
    const someoneElses = await asOwn('GET', GatewayRoutes.recommendations('user-00511'))
    expect(someoneElses.status).toBe(403)
    expect(someoneElses.body.error?.message).toMatch(new RegExp(`belongs to ${own.userId}.*readsAllUsers`))
    expect((await asOwn('GET', GatewayRoutes.recommendations(own.userId))).status).toBe(200)
    const forged = await asOwn('POST', GatewayRoutes.events, {
      event_id: 'evt-forged-0001',
      type: 'like',
      user_id: 'ben',
      content_id: 'standup',
      ts: '2026-01-01T20:00:00Z',
    })
    expect(forged.status).toBe(403)
    // The staff tier (readsAllUsers) acts for anyone: the viewer's key is used for ana, ben and others below.
    expect((await call('GET', GatewayRoutes.recommendations('user-00511'))).status).toBe(200)
  })

  it('answers malformed events with the right 4xx, naming the problem, and produces nothing', async () => {
    const send = async (body: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${services.gateway!.url}${GatewayRoutes.events}`, {
        method: 'POST',
        headers: {...authorized(stack.users.viewer!), ...headers},
        body,
      })
      return {status: response.status, text: await response.text()}
    }
    const valid = {
      event_id: 'evt-valid-01',
      type: 'view',
      user_id: 'ana',
      content_id: 'cup-final',
      ts: '2026-01-01T20:00:00Z',
    }
    const cases: Array<[string, string, number, RegExp, Record<string, string>?]> = [
      ['bad JSON', '{"event_id":', 400, /JSON/],
      ['not an object', '[1,2]', 400, /type|object/],
      ['wrong type', JSON.stringify({...valid, watch_seconds: 'long'}), 400, /watch_seconds/],
      ['unknown event type', JSON.stringify({...valid, type: 'purchase'}), 400, /type/],
      ['missing user', JSON.stringify({...valid, user_id: undefined}), 400, /user_id/],
      ['extra field', JSON.stringify({...valid, admin: true}), 400, /admin/],
      ['search without query', JSON.stringify({...valid, type: 'search', content_id: undefined}), 400, /query/],
      ['bad timestamp', JSON.stringify({...valid, ts: 'yesterday'}), 400, /ts/],
      ['oversized', JSON.stringify({...valid, query: 'x'.repeat(200_000)}), 413, /exceeds/],
      ['wrong content type', JSON.stringify(valid), 415, /application\/json/, {'content-type': 'text/plain'}],
    ]
    for (const [what, body, status, message, headers] of cases) {
      const answer = await send(body, headers)
      expect({what, status: answer.status}).toEqual({what, status})
      expect(answer.text).toMatch(message)
    }
    expect((await send(JSON.stringify(valid), {authorization: 'Bearer nope'})).status).toBe(401)
  })

  it('leaves the read model unchanged when the same events are consumed again', async () => {
    const built = await readModels()
    // The same events produced again (a client retry, a recorded file replayed twice) …
    for (const event of events) expect((await call('POST', GatewayRoutes.events, event)).status).toBe(202)
    await eventually(
      async () =>
        metricValue(
          await metrics('projector'),
          `${Metrics.consumerLag}{group="projector",topic="user-events",partition="0"}`,
        ) === 0 && (await lagTotal()) === 0
          ? true
          : undefined,
      10_000,
      'the duplicates consumed',
    )
    expect(await readModels()).toEqual(built)
    // … and the projector restarted with the group's Kafka offsets rewound to the start.
    await services.projector!.close()
    const admin = kafka.admin()
    await admin.connect()
    await admin.resetOffsets({groupId: 'projector', topic: 'user-events', earliest: true})
    await admin.disconnect()
    await startProjector()
    await eventually(
      async () => ((await lagTotal()) === 0 ? true : undefined),
      15_000,
      'the restarted projector caught up',
    )
    expect(await readModels()).toEqual(built)
  })

  it('stops projecting while the paused-consumer fault names it, with the lag visible, and catches up after', async () => {
    await switches.patch({'faults.pausedConsumers': JSON.stringify(['projector'])})
    await eventually(
      async () =>
        metricValue(await metrics('projector'), `${Metrics.switchFault}{name="pausedConsumers"}`) === 1
          ? true
          : undefined,
      5000,
      'the switch seen',
    )
    const event: UserEvent = {
      event_id: 'evt-paused-01',
      type: 'like',
      user_id: 'ben',
      content_id: 'standup',
      ts: '2026-01-01T20:03:00Z',
    }
    expect((await call('POST', GatewayRoutes.events, event)).status).toBe(202)
    expect(await eventually(async () => ((await lagTotal()) === 1 ? 1 : undefined), 10_000, 'lag of 1')).toBe(1)
    expect((await pool.query("SELECT likes FROM profiles WHERE user_id = 'ben'")).rows[0].likes).toBe('0')
    await switches.patch({'faults.pausedConsumers': JSON.stringify([])})
    await eventually(async () => ((await lagTotal()) === 0 ? true : undefined), 10_000, 'caught up')
    expect((await pool.query("SELECT likes FROM profiles WHERE user_id = 'ben'")).rows[0].likes).toBe('1')
  })

  const lagTotal = async () => {
    const text = await metrics('projector')
    const values = [0, 1, 2].map((partition) =>
      metricValue(text, `${Metrics.consumerLag}{group="projector",topic="user-events",partition="${partition}"}`),
    )
    return values.some((value) => value === undefined) ? undefined : values.reduce((sum, value) => sum! + value!, 0)
  }

  it('new content invalidates every cached recommendation at once', async () => {
    await switches.patch({'interventions.gradualInvalidation': 'false'})
    for (const user of ['ana', 'ben', 'cy']) await call('GET', GatewayRoutes.recommendations(user))
    expect(await redis.exists(recommendationKey('ana'), recommendationKey('ben'), recommendationKey('cy'))).toBe(3)
    const drop = await call('POST', AdminRoutes.contentDrop, {count: 3})
    expect(drop).toEqual({status: 202, body: {produced: 3}})
    await eventually(
      async () =>
        (await redis.exists(recommendationKey('ana'), recommendationKey('ben'), recommendationKey('cy'))) === 0
          ? true
          : undefined,
      20_000,
      'invalidation',
    )
    expect(
      (await pool.query("SELECT count(*)::int AS n FROM embeddings WHERE content_id LIKE 'drop-%'")).rows[0].n,
    ).toBe(3)
    expect((await call('GET', GatewayRoutes.recommendations('ana'))).body.cache).toBe('miss')
  })

  it('spreads the invalidation over a window when gradual invalidation is switched on', async () => {
    await switches.patch({'interventions.gradualInvalidation': 'true'})
    const users = Array.from({length: 20}, (_, index) => `g${index}`)
    for (const user of users) await call('GET', GatewayRoutes.recommendations(user))
    await call('POST', AdminRoutes.contentDrop, {count: 1})
    const spread = await eventually(
      async () => {
        const ttls = await Promise.all(users.map((user) => redis.pttl(recommendationKey(user))))
        // Every entry now expires within the 1.5 s spread, instead of its 300 s TTL.
        return ttls.every((ttl) => ttl <= 1500) ? ttls : undefined
      },
      20_000,
      'spread expiries',
    )
    expect(spread.filter((ttl) => ttl > 0).length).toBeGreaterThan(0)
    await eventually(
      async () => ((await redis.exists(...users.map((user) => recommendationKey(user)))) === 0 ? true : undefined),
      5000,
      'all expired',
    )
    // The 20 users, and ana, cached again at the end of the previous test.
    expect(metricValue(await metrics('projector'), `${Metrics.cacheInvalidations}{mode="gradual"}`)).toBe(21)
  })

  it('with a queue between gateway and recommender, a miss is answered from the read model and refreshed through RabbitMQ', async () => {
    await switches.patch({
      'interventions.gradualInvalidation': 'false',
      'interventions.queueBetweenServices': 'true',
      'faults.pausedConsumers': '["recommender"]',
    })
    await eventually(
      async () =>
        metricValue(await metrics('recommender'), 'streamctl_intervention{name="queueBetweenServices"}') === 1 &&
        metricValue(await metrics('recommender'), 'streamctl_fault{name="pausedConsumers"}') === 1
          ? true
          : undefined,
      5000,
      'the recommender to see the switches',
    )
    // hana has a stored ranking (the read model) but nothing cached: served from the row, refresh queued once.
    const ranked = await call('GET', GatewayRoutes.recommendations('hana'))
    await redis.del(recommendationKey('hana'))
    for (let index = 0; index < 3; index++)
      expect((await call('GET', GatewayRoutes.recommendations('hana'))).body).toEqual({
        user_id: 'hana',
        items: ranked.body.items,
        cache: 'miss',
        refresh: 'queued',
      })
    await eventually(
      async () =>
        metricValue(await metrics('recommender'), `${Metrics.queueDepth}{queue="recommendation_refresh"}`) === 1
          ? true
          : undefined,
      10_000,
      'one refresh waiting in the queue',
    )
    expect(await redis.exists(recommendationKey('hana'))).toBe(0)
    // A user with nothing stored is still ranked at once.
    expect((await call('GET', GatewayRoutes.recommendations('ivo'))).body).toMatchObject({
      user_id: 'ivo',
      cache: 'miss',
    })
    // The recommender resumes, works the queue and fills the cache: the next request is a hit.
    await switches.patch({'faults.pausedConsumers': '[]'})
    await eventually(
      async () => ((await redis.exists(recommendationKey('hana'))) === 1 ? true : undefined),
      10_000,
      'the queued refresh to fill the cache',
    )
    expect((await call('GET', GatewayRoutes.recommendations('hana'))).body).toEqual({
      user_id: 'hana',
      items: ranked.body.items,
      cache: 'hit',
    })
    await switches.patch({'interventions.queueBetweenServices': 'false'})
  })

  it('under calibrated costs, queues rankings for its workers, refuses past the queue limit at once, and skips a ranking whose client hung up', async () => {
    const recommenderMetric = async (sample: string) => metricValue(await metrics('recommender'), sample) ?? 0
    const skipped = () =>
      recommenderMetric(
        `streamctl_http_request_duration_seconds_count{service="recommender",route="/v1/rank/:user",status="400"}`,
      )
    // kai, lea and max have stored rankings (the read model) but nothing cached.
    for (const user of ['kai', 'lea', 'max']) {
      await call('GET', GatewayRoutes.recommendations(user))
      await redis.del(recommendationKey(user))
    }
    await switches.patch({
      'costs.rankingMs': '1200',
      'costs.recommenderWorkers': '1',
      'costs.recommenderQueueLimit': '1',
    })
    try {
      await eventually(
        async () => ((await recommenderMetric('streamctl_cost{name="recommenderWorkers"}')) === 1 ? true : undefined),
        5000,
        'the recommender to see the costs',
      )
      const skippedBefore = await skipped()
      // kai holds the only worker; a client waiting on lea's ranking hangs up while it waits in the queue.
      const kai = call('GET', GatewayRoutes.recommendations('kai'))
      await eventually(
        async () => ((await recommenderMetric(`${Metrics.inFlight}{service="recommender"}`)) === 1 ? true : undefined),
        5000,
        'kai being ranked',
      )
      const hungUp = fetch(`${services.gateway!.url}${GatewayRoutes.recommendations('lea')}`, {
        headers: authorized(stack.users.viewer!),
        signal: AbortSignal.timeout(150),
      }).catch((error: Error) => error.name)
      expect(await hungUp).toBe('TimeoutError')
      await eventually(
        async () => ((await recommenderMetric(`${Metrics.queueDepth}{queue="recommender"}`)) === 1 ? true : undefined),
        5000,
        'lea waiting for the worker',
      )
      // The queue (limit 1) is full: max is refused at once, with a 503 and Retry-After (its stored
      // ranking is the queue-between-services intervention's answer, not the default's).
      const max = await fetch(`${services.gateway!.url}${GatewayRoutes.recommendations('max')}`, {
        headers: authorized(stack.users.viewer!),
      })
      expect(max.status).toBe(503)
      expect(max.headers.get('retry-after')).toBe('1')
      expect(((await max.json()) as {error: {code: string}}).error.code).toBe('recommender_overloaded')
      expect((await kai).body).toMatchObject({user_id: 'kai', cache: 'miss'})
      // lea's client had gone when the worker came free: that ranking never ran.
      await eventually(
        async () => ((await skipped()) === skippedBefore + 1 ? true : undefined),
        5000,
        'the abandoned ranking skipped',
      )
      expect(await redis.exists(recommendationKey('lea'))).toBe(0)
    } finally {
      await switches.patch({
        'costs.rankingMs': '0',
        'costs.recommenderWorkers': '0',
        'costs.recommenderQueueLimit': '0',
      })
    }
  })

  it('tags a video through the gateway over gRPC', async () => {
    const answer = await call('GET', GatewayRoutes.metadata('cup-final'))
    expect(answer.status).toBe(200)
    const metadata = answer.body as unknown as VideoMetadata
    expect(metadata.video_id).toBe('cup-final')
    expect(metadata.labels[0]!.label).toBe('sports')
    expect((await call('GET', GatewayRoutes.metadata('cup-final'))).body).toEqual(answer.body)
    expect(metricValue(await metrics('tagger'), `${Metrics.grpcRequests}{method="GenerateMetadata",status="OK"}`)).toBe(
      2,
    )
    expect((await call('GET', GatewayRoutes.metadata('not%20valid'))).status).toBe(400)
  })

  it('answers 503 when the tagger or the recommender is down, and keeps serving cached and stored recommendations', async () => {
    await call('GET', GatewayRoutes.recommendations('dora'))
    await services.tagger!.close()
    await services.recommender!.close()
    const metadata = await call('GET', GatewayRoutes.metadata('cup-final'))
    expect(metadata.status).toBe(503)
    expect((metadata.body.error as {code: string}).code).toBe('tagger_unavailable')
    expect((await call('GET', GatewayRoutes.recommendations('eve'))).status).toBe(503)
    const cached = await call('GET', GatewayRoutes.recommendations('dora'))
    expect(cached.body.cache).toBe('hit')
    // Evicted from the cache, dora still gets the ranking the recommender stored in the read model.
    await redis.del(recommendationKey('dora'))
    expect((await call('GET', GatewayRoutes.recommendations('dora'))).body).toEqual({
      ...cached.body,
      cache: 'miss',
      degraded: true,
    })
  })
})
