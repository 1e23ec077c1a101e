// recommender: ranks content for a user (GET /v1/rank/{user}) from the read models — genre affinity
// against the content embeddings, blended with trending — and reproduces the StreamFlow bottlenecks
// on demand: vector-search latency that grows with concurrent searches and a CPU-bound ranking
// step in a bounded worker pool, and profile queries of 50–500 ms (all off unless the env or a
// calibration's costs switches set them; a full queue answers 503). The query-result caching
// intervention serves repeated vector searches from Redis; the database-delay fault slows every
// profile query. /metrics shows the engine's queue (queue_depth{queue="recommender"}) and the
// searches in flight (queue_depth{queue="vector-search"}).
//
// Config: config.ts.
//
// The queue-between-services intervention: when the stack declares RECOMMENDATION_REFRESH_QUEUE
// (recommendation_refresh), the recommender also consumes it, REFRESH_PREFETCH at a time, ranking
// each queued user and filling the gateway's cache. That consumer subscribes in the background when
// RabbitMQ is unreachable; ranking, and readiness, never wait for it.
import type {RankedRecommendations} from '../../lib/streamflow/api.js'
import {consumeQueue, parseJsonMessage, tieConsumerToService} from '../amqp/queue-consumer.js'
import {recommendationKey, refreshPendingKey} from '../../lib/streamflow/cache-keys.js'
import {badRequest, clientClosedRequest, HttpError} from '../http/errors.js'
import {Router} from '../http/router.js'
import {ID_FORMAT} from '../http/validate.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {AbandonedError, PoolOverloadedError} from './bottleneck.js'
import {EmbeddedCatalogue} from './catalogue.js'
import {readRecommenderConfig} from './config.js'
import {RecommendationEngine} from './engine.js'

export const recommenderService: ServiceDefinition = {
  defaultPort: 8084,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readRecommenderConfig(context.env, context.manifest)
    // The recommendations table is derived data the engine rewrites on every miss: a crash losing
    // the last writes costs nothing, so they do not wait for the WAL flush.
    const [pool, redis, switches] = await Promise.all([
      runtime.postgres({synchronous_commit: 'off'}),
      runtime.redis(),
      runtime.switches(),
    ])
    const engine = new RecommendationEngine(pool, redis, new EmbeddedCatalogue(pool, redis), config.engine)
    const {metrics} = runtime
    // The engine's queue (rankings waiting for a worker, 0 → 1000 deep in the published bottleneck)
    // and the vector searches in flight, as gauges that follow every change.
    const gauges = () => {
      metrics.queueDepth.set({queue: 'recommender'}, engine.queued)
      metrics.queueDepth.set({queue: 'vector-search'}, engine.searchesInFlight)
    }
    const recommend = async (user: string, abandoned?: () => boolean) => {
      const {faults, interventions, costs} = switches.current
      const ranking = engine.recommend(
        user,
        {dbDelayMs: faults.dbDelayMs, queryResultCache: interventions.queryResultCache, costs},
        abandoned,
      )
      gauges()
      try {
        return await ranking
      } catch (error) {
        if (error instanceof PoolOverloadedError)
          throw new HttpError(503, 'recommender_overloaded', error.message, {'retry-after': 1})
        if (error instanceof AbandonedError) throw clientClosedRequest('a worker came free for its ranking')
        throw error
      } finally {
        gauges()
      }
    }
    const router = new Router().get('/v1/rank/:user', async ({params, clientGone}) => {
      const user = params.user!
      if (!ID_FORMAT.pattern.test(user)) throw badRequest(`user must be ${ID_FORMAT.description}`)
      const ranking = await recommend(user, clientGone)
      if (switches.current.interventions.queryResultCache)
        (ranking.vectorSearch === 'cached' ? metrics.cacheHits : metrics.cacheMisses).inc({cache: 'vector-search'})
      const body: RankedRecommendations = {user_id: user, items: ranking.items, vector_search: ranking.vectorSearch}
      return {status: 200, body}
    })
    const {refresh} = config
    if (refresh) {
      const consumer = await consumeQueue(
        runtime.channels([refresh.queue]),
        refresh.queue,
        {prefetch: refresh.prefetch, log: runtime.log, metrics},
        async (message) => {
          const user = parseJsonMessage<{user_id?: unknown}>(message)?.user_id
          if (typeof user !== 'string' || !ID_FORMAT.pattern.test(user)) return 'dead-letter'
          // A full queue (the calibration's limit) sends the refresh back to RabbitMQ rather than hold a prefetch slot.
          const ranking = await recommend(user).catch((error: unknown) => {
            if (error instanceof HttpError && error.status === 503) return undefined
            throw error
          })
          if (!ranking) return 'requeue'
          await redis.set(
            recommendationKey(user),
            JSON.stringify({user_id: user, items: ranking.items}),
            'EX',
            refresh.cacheTtlSeconds,
          )
          await redis.del(refreshPendingKey(user))
          return 'ack'
        },
      )
      tieConsumerToService(runtime, switches, consumer, 'refresh consumer')
    }
    await runtime.listen(router)
    return runtime.running()
  },
}
