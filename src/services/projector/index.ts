// projector: the consumer group that folds `user-events` into the read models (profiles, genre
// affinity, windowed trending) exactly once — offsets live in PostgreSQL, committed with each
// change — and invalidates cached recommendations: a user's entry when their read model changes,
// every entry when the content pipeline announces new content, all at once or gradually (the
// gradualInvalidation intervention). The pausedConsumers fault (name "projector") pauses it.
//
// Config: config.ts.
import {Counter} from 'prom-client'
import {Metrics} from '../../lib/stack/api.js'
import {Router} from '../http/router.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {loadEventValidator} from '../../lib/streamflow/event-schemas.js'
import {ExactlyOnceConsumer} from '../../lib/streamflow/exactly-once-consumer.js'
import {reportConsumerLag} from '../runtime/lag-reporter.js'
import type {ContentAnnouncement, UserEvent} from '../../lib/streamflow/event-types.js'
import {RecommendationCacheInvalidator} from './cache-invalidator.js'
import {readProjectorConfig} from './config.js'
import {foldIntoReadModels} from '../../lib/streamflow/read-model-store.js'

export const projectorService: ServiceDefinition = {
  defaultPort: 8082,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readProjectorConfig(context.env)
    const {group, userEventsTopic: eventsTopic} = config
    const [pool, redis, switches, isUserEvent] = await Promise.all([
      runtime.postgres(),
      runtime.redis(),
      runtime.switches(),
      loadEventValidator<UserEvent>(context.manifest, context.stackDir, 'user-event'),
    ])
    const invalidator = new RecommendationCacheInvalidator(redis, runtime.config.redisKeyPrefix)
    const registers = [runtime.metrics.registry]
    const consumed = new Counter({
      name: Metrics.eventsConsumed,
      help: 'Records consumed, applied or skipped (already applied, or invalid)',
      labelNames: ['group', 'topic', 'outcome'],
      registers,
    })
    const invalidated = new Counter({
      name: Metrics.cacheInvalidations,
      help: 'Cached recommendations invalidated',
      labelNames: ['mode'],
      registers,
    })
    const foldEvents = foldIntoReadModels(config.trendingWindowMs)
    const kafka = await runtime.kafka()

    const consumer = new ExactlyOnceConsumer<UserEvent | ContentAnnouncement>({
      kafka,
      pool,
      groupId: group,
      topics: [eventsTopic, config.announcementsTopic],
      sessionTimeoutMs: config.sessionTimeoutMs,
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
      onBatch: (topic, result) => {
        consumed.inc({group, topic, outcome: 'applied'}, result.applied)
        consumed.inc({group, topic, outcome: 'skipped'}, result.skipped)
      },
      onError: (error) => runtime.log.warn('projector error', {error: error.message}),
    })
    switches.onChange((current) => consumer.setPaused(current.faults.pausedConsumers.includes(group)))
    await consumer.start()
    runtime.onClose('consumer', () => consumer.stop())

    reportConsumerLag(runtime, consumer, group, config.lagIntervalMs)
    await runtime.listen(new Router())
    return runtime.running()
  },
}

function isAnnouncement(value: unknown): value is ContentAnnouncement {
  const candidate = value as Partial<ContentAnnouncement> | undefined
  return candidate?.type === 'content_changed' && Array.isArray(candidate.content_ids)
}
