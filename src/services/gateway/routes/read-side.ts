// The gateway's StreamFlow routes (a gateway route module):
//   POST /v1/events                  (API key) a user event, checked against the user-event schema, produced
//                                    to Kafka keyed by user (the CQRS command side);
//   GET  /v1/recommendations/{user}  (API key) Redis cache (through a near cache in this process that Redis
//                                    keeps coherent), then the recommender (the query side), then the
//                                    stored read model if the recommender is down; with the queue-between-
//                                    services intervention on, a miss with a stored ranking is answered from
//                                    it at once and the refresh goes through RECOMMENDATION_REFRESH_QUEUE;
//   GET  /v1/metadata/{video}        (API key) the tagger over gRPC, waiting TAGGER_TIMEOUT_MS (config.ts) at
//                                    most (the asynchronous tagging jobs are in tagging-job-routes.ts);
//   POST /admin/actions/content-drop (admin token) produces new titles to content-events (the cascade's trigger).
//
// Settings: the recommender's URL and timeout, the cache TTL and near-cache size, the tagger's
// address and the two topics are in config.ts, with RECOMMENDATION_REFRESH_QUEUE (the gateway's
// publishing channel declares it). The intervention calls the recommender directly when the stack
// declares no such queue, or while RabbitMQ is unreachable.
//
// A key sends events for, and reads the recommendations of, its own user only (403 otherwise),
// unless its tier grants readsAllUsers (auth.ts mayActFor).
import type {Producer} from 'kafkajs'
import {Counter, Gauge, Histogram} from 'prom-client'
import {
  AdminRoutes,
  GatewayRoutes,
  Metrics,
  type RankedRecommendations,
  type Recommendations,
  RecommenderRoutes,
  type VideoMetadata,
} from '../../../lib/streamflow/api.js'
import {badRequest, clientClosedRequest, HttpError} from '../../http/errors.js'
import type {Handler, RequestContext} from '../../http/router.js'
import {ID_FORMAT, integerField, rejectUnknownFields, requireObject} from '../../http/validate.js'
import {NearCache} from '../../cache/near-cache.js'
import {
  RECOMMENDATION_KEY_PREFIX,
  recommendationKey,
  REFRESH_PENDING_TTL_S,
  refreshPendingKey,
} from '../../../lib/streamflow/cache-keys.js'
import {contentDropEvents} from '../../../lib/streamflow/content-drop.js'
import {loadEventValidator} from '../../../lib/streamflow/event-schemas.js'
import type {UserEvent} from '../../../lib/streamflow/event-types.js'
import {TaggerCallError, type TaggerClient} from '../../tagger/grpc-client.js'
import {mayActFor, type Principal} from '../auth.js'
import type {GatewayRouteModule} from '../context.js'

export const readSideRoutes: GatewayRouteModule = async (router, gateway) => {
  const {runtime, redis, config} = gateway
  const {manifest, stackDir} = runtime.context
  const {recommenderUrl, recommenderTimeoutMs} = config
  const refreshQueue = manifest.queues.find((queue) => queue.name === config.refreshQueue)
  const guard =
    (handler: (context: RequestContext, principal: Principal) => ReturnType<Handler>): Handler =>
    async (context) =>
      handler(context, await gateway.principal(context.request))
  const forbidden = (principal: Principal, what: string) =>
    new HttpError(
      403,
      'forbidden',
      `this API key belongs to ${principal.userId} and may ${what} only for that user (its tier ${principal.tier.name} does not grant readsAllUsers)`,
    )
  const {metrics, log} = runtime

  const [isUserEvent, undici] = await Promise.all([
    loadEventValidator<UserEvent>(manifest, stackDir, 'user-event'),
    import('undici'),
  ])
  // Hits of hot users are served from the gateway's memory, kept coherent by Redis (cache/near-cache.ts):
  // a Redis round trip is most of a hit's p99 on a busy 2-core machine (README, Performance).
  const recommendationsCache = new NearCache<Recommendations>({
    redis,
    prefix: RECOMMENDATION_KEY_PREFIX,
    maxEntries: config.recommendationNearCacheSize,
    decode: (text) =>
      Object.freeze({...(JSON.parse(text) as Omit<Recommendations, 'cache'>), cache: 'hit'} satisfies Recommendations),
    log,
  })
  runtime.onClose('recommendations near cache', () => recommendationsCache.close())
  const nearHits = new Counter({
    name: Metrics.nearCacheHits,
    help: "Cache hits served from the service's own memory (also counted in cache hits)",
    labelNames: ['cache'],
    registers: [metrics.registry],
  })
  new Gauge({
    name: Metrics.nearCacheEntries,
    help: 'Entries of the near cache in memory; 0 while Redis tracking is off',
    labelNames: ['cache'],
    registers: [metrics.registry],
    collect() {
      this.set({cache: 'recommendations'}, recommendationsCache.size)
    },
  })
  // A hit's time apart from a miss's (StreamFlow publishes them apart: 75 ms and 835 ms), and both apart from a stored ranking served degraded.
  const answerSeconds = new Histogram({
    name: Metrics.recommendationSeconds,
    help: 'Time to answer GET /v1/recommendations, by outcome: hit, miss (ranked) or degraded (the stored ranking)',
    labelNames: ['cache'],
    buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  })
  const recommender = new undici.Pool(recommenderUrl, {connections: 256, pipelining: 1})
  runtime.onClose('recommender pool', () => recommender.close())
  // Connected at start, so the first event does not pay for it; a broker still coming up only delays it.
  const kafka = await runtime.kafka()
  const kafkaProducer = kafka.producer({allowAutoTopicCreation: true})
  runtime.onClose('kafka producer', () => kafkaProducer.disconnect())
  const producer = once(async (): Promise<Producer> => {
    await kafkaProducer.connect()
    return kafkaProducer
  })
  producer().catch((error: Error) => log.warn('kafka producer not connected yet', {error: error.message}))
  const tagger = once(async (): Promise<TaggerClient> => {
    const {connectTagger} = await import('../../tagger/grpc-client.js')
    const client = await connectTagger(config.taggerAddress)
    runtime.onClose('tagger client', async () => client.close())
    return client
  })

  const produce = async (topic: string, messages: Array<{key: string; value: string}>) => {
    try {
      return await (await producer()).send({topic, acks: -1, messages})
    } catch (error) {
      throw new HttpError(503, 'kafka_unavailable', `cannot produce to ${topic}: ${(error as Error).message}`, {
        'retry-after': 1,
      })
    }
  }

  router.post(
    GatewayRoutes.events,
    guard(async ({body}, principal) => {
      const event = await body()
      if (!isUserEvent(event))
        throw badRequest(`the event does not match the user-event schema: ${isUserEvent.problems().join('; ')}`)
      if (!mayActFor(principal, event.user_id)) throw forbidden(principal, 'send events')
      const [record] = await produce(config.userEventsTopic, [{key: event.user_id, value: JSON.stringify(event)}])
      return {
        status: 202,
        body: {event_id: event.event_id, partition: record?.partition ?? 0, offset: Number(record?.baseOffset ?? 0)},
      }
    }),
  )

  router.get(
    '/v1/recommendations/:user',
    guard(async ({params, response, clientGone}, principal) => {
      const started = performance.now()
      // A client that hangs up stops the ranking it asked for: it will never read the answer.
      const gone = new AbortController()
      const hungUp = () => {
        if (!response.writableFinished) gone.abort()
      }
      response.once('close', hungUp)
      // Gone already (while it was authenticated): nothing will read the answer.
      if (clientGone()) gone.abort()
      const answer = await recommendations(params.user!, principal, gone.signal).finally(() =>
        response.off('close', hungUp),
      )
      answerSeconds.observe(
        {cache: answer.body.degraded ? 'degraded' : answer.body.cache},
        (performance.now() - started) / 1000,
      )
      return answer
    }),
  )

  const recommendations = async (
    user: string,
    principal: Principal,
    clientGone: AbortSignal,
  ): Promise<{status: 200; body: Recommendations}> => {
    if (!ID_FORMAT.pattern.test(user)) throw badRequest(`user must be ${ID_FORMAT.description}`)
    if (!mayActFor(principal, user)) throw forbidden(principal, 'read recommendations')
    const cached = await recommendationsCache.read(recommendationKey(user))
    if (cached) {
      metrics.cacheHits.inc({cache: 'recommendations'})
      if (cached.source === 'near') nearHits.inc({cache: 'recommendations'})
      return {status: 200, body: cached.value}
    }
    metrics.cacheMisses.inc({cache: 'recommendations'})
    if (refreshQueue && gateway.switches.current.interventions.queueBetweenServices && gateway.publisher.open) {
      // Queue between services: answer from the read model now, let the recommender catch up at its pace.
      // Without a stored ranking the recommender ranks it, as with the intervention off.
      const stored = await storedRanking(user)
      if (stored) {
        await queueRefresh(user, refreshQueue.name)
        return {
          status: 200,
          body: {
            user_id: user,
            items: stored.items,
            cache: 'miss',
            refresh: 'queued',
          } satisfies Recommendations,
        }
      }
    }
    let ranked: RankedRecommendations
    try {
      ranked = await rank(user, clientGone)
    } catch (error) {
      // Fallback: the last ranking the recommender stored, not cached, so the next request tries again.
      // Not for an overloaded recommender (its queue full): answering stale then is the queue-between-services intervention's call.
      const stored =
        error instanceof HttpError && error.status >= 503 && error.code !== 'recommender_overloaded'
          ? await storedRanking(user)
          : undefined
      if (!stored) throw error // nothing to fall back on: the recommender's error is the answer
      log.warn('recommender unavailable: serving the stored ranking', {error: (error as Error).message})
      return {
        status: 200,
        body: {user_id: user, items: stored.items, cache: 'miss', degraded: true} satisfies Recommendations,
      }
    }
    const value: Omit<Recommendations, 'cache'> = {user_id: user, items: ranked.items}
    // Not awaited: the answer does not wait for the cache fill; a concurrent request may miss too.
    redis
      .set(recommendationKey(user), JSON.stringify(value), 'EX', config.recommendationCacheTtlSeconds)
      .catch((error: Error) => log.warn('cannot cache recommendations', {error: error.message}))
    return {status: 200, body: {...value, cache: 'miss'} satisfies Recommendations}
  }

  /** The ranking the recommender last stored for a user; undefined when there is none or PostgreSQL cannot be read. */
  const storedRanking = (user: string) =>
    gateway.pg
      .query<{items: Recommendations['items']}>('SELECT items FROM recommendations WHERE user_id = $1', [user])
      .then((result) => result.rows[0])
      .catch(() => undefined) // without PostgreSQL there is no stored ranking to offer; each caller goes on without

  /** Queues one refresh per user at a time; a failed publish is logged and the next miss tries again. */
  const queueRefresh = async (user: string, queue: string) => {
    // Without Redis no refresh is queued; the next miss tries again.
    if ((await redis.set(refreshPendingKey(user), '1', 'EX', REFRESH_PENDING_TTL_S, 'NX').catch(() => null)) !== 'OK')
      return
    gateway.publisher.publish(queue, {user_id: user}, {messageId: user}).catch((error: Error) => {
      log.warn('cannot queue a recommendations refresh', {user_id: user, error: error.message})
      redis.del(refreshPendingKey(user)).catch(() => {}) // the mark expires by itself (REFRESH_PENDING_TTL_S)
    })
  }

  const rank = async (user: string, clientGone: AbortSignal): Promise<RankedRecommendations> => {
    let response
    try {
      // The signal bounds the wait for one of the pool's connections too, not only the answer.
      response = await recommender.request({
        method: 'GET',
        path: RecommenderRoutes.rank(user),
        headersTimeout: recommenderTimeoutMs,
        bodyTimeout: recommenderTimeoutMs,
        signal: AbortSignal.any([AbortSignal.timeout(recommenderTimeoutMs), clientGone]),
      })
    } catch (error) {
      if (clientGone.aborted) throw clientClosedRequest('the recommender answered')
      const code = (error as {code?: string; name?: string}).code
      const timedOut =
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        (error as Error).name === 'TimeoutError'
      throw new HttpError(
        timedOut ? 504 : 503,
        timedOut ? 'recommender_timeout' : 'recommender_unavailable',
        `recommender at ${recommenderUrl}: ${(error as Error).message}`,
      )
    }
    const text = await response.body.text()
    if (response.statusCode === 503)
      throw new HttpError(503, 'recommender_overloaded', `recommender answered 503: ${text.slice(0, 200)}`, {
        'retry-after': 1,
      })
    if (response.statusCode !== 200)
      throw new HttpError(
        response.statusCode === 400 ? 400 : 502,
        response.statusCode === 400 ? 'bad_request' : 'recommender_error',
        `recommender answered ${response.statusCode}: ${text.slice(0, 200)}`,
      )
    return JSON.parse(text) as RankedRecommendations
  }

  router.get(
    '/v1/metadata/:video',
    guard(async ({params}) => {
      const video = params.video!
      if (!ID_FORMAT.pattern.test(video)) throw badRequest(`video must be ${ID_FORMAT.description}`)
      try {
        const answer = await (await tagger()).generateMetadata(video, {deadlineMs: config.taggerTimeoutMs})
        return {status: 200, body: {video_id: answer.video_id, labels: answer.labels} satisfies VideoMetadata}
      } catch (error) {
        if (error instanceof TaggerCallError)
          throw new HttpError(
            error.httpStatus,
            error.httpStatus === 400
              ? 'bad_request'
              : error.httpStatus === 504
                ? 'tagger_timeout'
                : 'tagger_unavailable',
            error.message,
          )
        throw error
      }
    }),
  )

  router.post(
    AdminRoutes.contentDrop,
    async ({request: http, body}) => {
      gateway.requireAdmin(http)
      const request = requireObject(await body())
      rejectUnknownFields(request, ['count'])
      const count = integerField(request, 'count', {min: 1, max: 10_000}) ?? 10
      const events = contentDropEvents(count, Date.now().toString(36))
      await produce(
        config.contentEventsTopic,
        events.map((event) => ({key: event.content_id, value: JSON.stringify(event)})),
      )
      log.info('content drop produced', {count})
      return {status: 202, body: {produced: events.length}}
    },
    {unshed: true},
  )
}

/** A lazily started resource, started once; a failed start is retried on the next call. */
function once<T>(open: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined
  return () => {
    value ??= open().catch((error: unknown) => {
      value = undefined
      throw error
    })
    return value
  }
}
