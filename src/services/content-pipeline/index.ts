// content pipeline: consumes `content-events` (new, updated and removed titles), stores each title
// and its deterministic embedding exactly once (offsets in PostgreSQL, with the rows), then bumps
// the catalogue version and announces the change on `content-announcements` — which is what makes
// the projector invalidate recommendations: the new-content cascade of the StreamFlow design.
//
// Config: config.ts.
import {Counter} from 'prom-client'
import {Metrics} from '../../lib/stack/api.js'
import {Router} from '../http/router.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {CATALOGUE_VERSION_KEY} from '../../lib/streamflow/cache-keys.js'
import {loadEventValidator} from '../../lib/streamflow/event-schemas.js'
import {ExactlyOnceConsumer} from '../../lib/streamflow/exactly-once-consumer.js'
import {reportConsumerLag} from '../runtime/lag-reporter.js'
import type {ContentAnnouncement, ContentEvent} from '../../lib/streamflow/event-types.js'
import {storeContentEvents} from './catalogue-store.js'
import {readContentPipelineConfig} from './config.js'

export const contentPipelineService: ServiceDefinition = {
  defaultPort: 8083,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readContentPipelineConfig(context.env)
    const {group} = config
    const [pool, redis, isContentEvent] = await Promise.all([
      runtime.postgres(),
      runtime.redis(),
      loadEventValidator<ContentEvent>(context.manifest, context.stackDir, 'content-event'),
    ])
    const consumed = new Counter({
      name: Metrics.eventsConsumed,
      help: 'Records consumed, applied or skipped (already applied, or invalid)',
      labelNames: ['group', 'topic', 'outcome'],
      registers: [runtime.metrics.registry],
    })
    const kafka = await runtime.kafka()
    const producer = kafka.producer({allowAutoTopicCreation: true})
    await producer.connect()
    runtime.onClose('producer', () => producer.disconnect())

    const consumer = new ExactlyOnceConsumer<ContentEvent>({
      kafka,
      pool,
      groupId: group,
      topics: [config.contentEventsTopic],
      accept: (value): value is ContentEvent => isContentEvent(value),
      change: () => storeContentEvents,
      // Stored first, announced after: a crash in between leaves recommendations stale until their TTL, never wrong data.
      afterCommit: async (_topic, result) => {
        await redis.incr(CATALOGUE_VERSION_KEY)
        const announcement: ContentAnnouncement = {
          type: 'content_changed',
          content_ids: result.ids,
          ts: new Date().toISOString(),
        }
        await producer.send({
          topic: config.announcementsTopic,
          acks: -1,
          messages: [{key: 'catalogue', value: JSON.stringify(announcement)}],
        })
        runtime.log.info('content stored and announced', {items: result.ids.length})
      },
      onBatch: (batchTopic, result) => {
        consumed.inc({group, topic: batchTopic, outcome: 'applied'}, result.applied)
        consumed.inc({group, topic: batchTopic, outcome: 'skipped'}, result.skipped)
      },
      onError: (error) => runtime.log.warn('content pipeline error', {error: error.message}),
    })
    await consumer.start()
    runtime.onClose('consumer', () => consumer.stop())
    reportConsumerLag(runtime, consumer, group, config.lagIntervalMs)
    await runtime.listen(new Router())
    return runtime.running()
  },
}
