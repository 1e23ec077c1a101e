// Reads exactly the offsets [start, end) of some partitions of a topic with kafkajs. kafkajs has
// no manual assignment, so a throwaway consumer group (deleted afterwards) is subscribed and sought
// to each start; records outside the range or already delivered (a re-fetch after the seek) are
// dropped, so each offset reaches `onChunk` once, in order per partition.
import {randomUUID} from 'node:crypto'
import type {Kafka} from 'kafkajs'
import {kafkaFailure} from '../kafka/client.js'
import type {PartitionRange, ReplayRecord} from './replay-record.js'

export type ChunkHandler = (partition: number, records: ReplayRecord[]) => Promise<void>

export async function readTopicRange(kafka: Kafka, topic: string, ranges: readonly PartitionRange[], onChunk: ChunkHandler): Promise<void> {
  const pending = new Map(ranges.filter((range) => range.end > range.start).map((range) => [range.partition, range]))
  if (pending.size === 0) return
  const next = new Map([...pending.values()].map((range) => [range.partition, range.start]))
  const groupId = `streamctl-replay-${randomUUID()}`
  const consumer = kafka.consumer({groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * 1024 * 1024, retry: {retries: 2}})
  let settle!: (error?: Error) => void
  const finished = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())))
  try {
    await consumer.connect()
    await consumer.subscribe({topic, fromBeginning: true})
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of next) if (pending.has(partition)) consumer.seek({topic, partition, offset: String(offset)})
    })
    consumer.on(consumer.events.CRASH, ({payload}) => settle(kafkaFailure(payload.error, `reading ${topic}`)))
    await consumer.run({
      partitionsConsumedConcurrently: Math.max(1, pending.size),
      eachBatch: async ({batch, heartbeat}) => {
        const range = pending.get(batch.partition)
        if (!range) return
        const from = next.get(batch.partition)!
        const records: ReplayRecord[] = []
        for (const message of batch.messages) {
          const offset = Number(message.offset)
          if (offset < from || offset >= range.end) continue
          records.push({partition: batch.partition, offset, timestamp: Number(message.timestamp), key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? ''})
        }
        try {
          if (records.length > 0) {
            await onChunk(batch.partition, records)
            next.set(batch.partition, records.at(-1)!.offset + 1)
          }
        } catch (error) {
          settle(error as Error)
          return
        }
        if (next.get(batch.partition)! >= range.end) {
          pending.delete(batch.partition)
          consumer.pause([{topic, partitions: [batch.partition]}])
          if (pending.size === 0) settle()
        }
        await heartbeat()
      },
    })
    await finished
  } finally {
    await consumer.disconnect().catch(() => {})
    const admin = kafka.admin()
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => admin.disconnect().catch(() => {}))
  }
}
