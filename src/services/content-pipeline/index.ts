// content pipeline: consumes `content-events` (new, updated and removed titles), stores each title
// and its deterministic embedding exactly once (offsets in PostgreSQL, with the rows), then bumps
// the catalogue version and announces the change on `content-announcements` — which is what makes
// the projector invalidate recommendations: the new-content cascade of the StreamFlow design.
//
// Config: config.ts.
import {CATALOGUE_VERSION_KEY} from '../../lib/streamflow/cache-keys.js'
import {loadEventValidator} from '../../lib/streamflow/event-schemas.js'
import type {ContentAnnouncement, ContentEvent} from '../../lib/streamflow/event-types.js'
import {serveExactlyOnceConsumer} from '../runtime/exactly-once-service.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {storeContentEvents} from './catalogue-store.js'
import {readContentPipelineConfig} from './config.js'

export const contentPipelineService: ServiceDefinition = {
  defaultPort: 8083,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readContentPipelineConfig(context.env)
    const [pool, redis, isContentEvent] = await Promise.all([
      runtime.postgres(),
      runtime.redis(),
      loadEventValidator<ContentEvent>(context.manifest, context.stackDir, 'content-event'),
    ])
    const kafka = await runtime.kafka()
    const producer = kafka.producer({allowAutoTopicCreation: true})
    await producer.connect()
    runtime.onClose('producer', () => producer.disconnect())

    return serveExactlyOnceConsumer<ContentEvent>(runtime, {
      pool,
      groupId: config.group,
      topics: [config.contentEventsTopic],
      lagIntervalMs: config.lagIntervalMs,
      errorMessage: 'content pipeline error',
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
    })
  },
}
