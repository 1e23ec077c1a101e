// projector: the consumer group that folds `user-events` into the read models (profiles, genre
// affinity, windowed trending) exactly once — offsets live in PostgreSQL, committed with each
// change — and invalidates cached recommendations: a user's entry when their read model changes,
// every entry when the content pipeline announces new content, all at once or gradually (the
// gradualInvalidation intervention). The pausedConsumers fault (name "projector") pauses it.
//
// Config: config.ts.
import {Counter} from 'prom-client'
import {Metrics} from '../../lib/streamflow/api.js'
import {loadEventValidator} from '../../lib/streamflow/event-schemas.js'
import type {ContentAnnouncement, UserEvent} from '../../lib/streamflow/event-types.js'
import {foldIntoReadModels} from '../../lib/streamflow/read-model-store.js'
import {serveExactlyOnceConsumer} from '../runtime/exactly-once-service.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {RecommendationCacheInvalidator} from './cache-invalidator.js'
import {readProjectorConfig} from './config.js'

export const projectorService: ServiceDefinition = {
  defaultPort: 8082,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readProjectorConfig(context.env)
    const {userEventsTopic: eventsTopic} = config
    const [pool, redis, switches, isUserEvent] = await Promise.all([
      runtime.postgres(),
      runtime.redis(),
      runtime.switches(),
      loadEventValidator<UserEvent>(context.manifest, context.stackDir, 'user-event'),
    ])
    const invalidator = new RecommendationCacheInvalidator(redis, runtime.config.redisKeyPrefix)
    const invalidated = new Counter({
      name: Metrics.cacheInvalidations,
      help: 'Cached recommendations invalidated',
      labelNames: ['mode'],
      registers: [runtime.metrics.registry],
    })
    const foldEvents = foldIntoReadModels(config.trendingWindowMs)

    return serveExactlyOnceConsumer<UserEvent | ContentAnnouncement>(runtime, {
      pool,
      groupId: config.group,
      topics: [eventsTopic, config.announcementsTopic],
      sessionTimeoutMs: config.sessionTimeoutMs,
      lagIntervalMs: config.lagIntervalMs,
      errorMessage: 'projector error',
      switches,
      accept: (value, topic): value is UserEvent | ContentAnnouncement =>
        topic === eventsTopic ? isUserEvent(value) : isAnnouncement(value),
      change: (topic) =>
        topic === eventsTopic
          ? (client, events) => foldEvents(client, events as UserEvent[])
          : async (_client, announcements) =>
              (announcements as ContentAnnouncement[]).flatMap((announcement) => announcement.content_ids),
      afterCommit: async (topic, result) => {
        if (topic === eventsTopic) {
          invalidated.inc({mode: 'user'}, await invalidator.forUsers(result.ids))
          return
        }
        const mode = switches.current.interventions.gradualInvalidation ? 'gradual' : 'all-at-once'
        const report = await invalidator.all(mode, config.invalidationSpreadMs, `${topic}:${result.nextOffset}`)
        invalidated.inc({mode}, report.keys)
        runtime.log.info('new content: recommendations invalidated', {
          mode,
          entries: report.keys,
          spreadMs: report.spreadMs,
        })
      },
    })
  },
}

function isAnnouncement(value: unknown): value is ContentAnnouncement {
  const candidate = value as Partial<ContentAnnouncement> | undefined
  return candidate?.type === 'content_changed' && Array.isArray(candidate.content_ids)
}
