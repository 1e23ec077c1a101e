// The projector picks up partitions added to user-events while it runs. In a stack the services
// subscribe before `provision`, so the embedded broker auto-creates the topic with one partition and
// provision then grows it; with kafkajs's default metadata age the group stayed on partition 0 for
// five minutes and the events keyed to the new partitions were not projected (seen in the demo as
// the projector's lag growing). Real PostgreSQL, Redis and the embedded broker.
import type {Kafka} from 'kafkajs'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {openKafka} from '../../src/services/runtime/connections.js'
import type {UserEvent} from '../../src/lib/streamflow/event-types.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {createInferenceStack, type InferenceStack} from '../helpers/inference-stack.js'
import {eventually, startService} from '../helpers/services.js'

describe('projector and partitions added to user-events', () => {
  let broker: BrokerProcess
  let stack: InferenceStack
  let pool: pg.Pool
  let kafka: Kafka
  let projector: RunningService | undefined

  beforeAll(async () => {
    ;[broker, stack] = await Promise.all([startBrokerProcess(), createInferenceStack({users: {viewer: 'roomy'}})])
    pool = new pg.Pool({connectionString: stack.database.url, max: 2})
    kafka = await openKafka(broker.brokers, 'projector-partitions-test')
  })
  afterAll(async () => {
    await projector?.close()
    await pool?.end()
    await broker?.cleanup()
    await stack?.close()
  })

  it('projects events on partitions added after it started, within seconds', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.createTopics({
        topics: [
          {topic: 'user-events', numPartitions: 1},
          {topic: 'content-announcements', numPartitions: 1},
        ],
      })
      projector = await startService('projector', {
        ...(stack.env as Record<string, string>),
        KAFKA_BROKERS: broker.brokers.join(','),
        LAG_INTERVAL_MS: '200',
      })
      const producer = kafka.producer()
      await producer.connect()
      const view = (user: string, index: number): UserEvent => ({
        event_id: `evt-part-${index}`,
        type: 'view',
        user_id: user,
        content_id: 'cup-final',
        ts: '2026-01-01T20:00:00Z',
      })
      await producer.send({
        topic: 'user-events',
        messages: [{key: 'p0-user', partition: 0, value: JSON.stringify(view('p0-user', 0))}],
      })
      await eventually(
        async () =>
          (await pool.query("SELECT 1 FROM profiles WHERE user_id = 'p0-user'")).rowCount === 1 ? true : undefined,
        20_000,
        'the partition-0 event projected',
      )

      await producer.disconnect()
      await admin.createPartitions({topicPartitions: [{topic: 'user-events', count: 3}]})
      // A new producer, so its metadata already has the new partitions.
      const later = kafka.producer()
      await later.connect()
      await later.send({
        topic: 'user-events',
        messages: [1, 2].map((partition) => ({
          key: `p${partition}-user`,
          partition,
          value: JSON.stringify(view(`p${partition}-user`, partition)),
        })),
      })
      await later.disconnect()
      expect(
        (await admin.fetchTopicOffsets('user-events')).map((offsets) => [offsets.partition, offsets.high]),
      ).toEqual([
        [0, '1'],
        [1, '1'],
        [2, '1'],
      ])
      const started = Date.now()
      await eventually(
        async () =>
          (await pool.query("SELECT 1 FROM profiles WHERE user_id IN ('p1-user', 'p2-user')")).rowCount === 2
            ? true
            : undefined,
        40_000,
        'the events on the new partitions projected',
      )
      // Well inside kafkajs's default metadata age (5 minutes): the consumer refreshes every 10 s.
      expect(Date.now() - started).toBeLessThan(40_000)
      const offsets = await pool.query<{partition: number; next_offset: string}>(
        "SELECT partition, next_offset FROM projector_offsets WHERE topic = 'user-events' ORDER BY partition",
      )
      expect(offsets.rows.map((row) => [row.partition, Number(row.next_offset)])).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ])
    } finally {
      await admin.disconnect()
    }
  }, 90_000)
})
