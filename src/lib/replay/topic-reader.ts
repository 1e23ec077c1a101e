// Reads exactly the offsets [start, end) of some partitions of a topic with kafkajs. kafkajs has
// no manual assignment, so a throwaway consumer group is subscribed and sought to each start;
// records outside the range or already delivered (a re-fetch after the seek) are dropped, so each
// offset reaches `onChunk` once, in order per partition. The group commits nothing and is deleted
// when the read ends, however it ends (done, failed, aborted by Ctrl-C), so `status` and `groups
// list` never keep one per replay; one left by a killed replay is deleted by the next.
//
// Records can vanish under a reader: retention deletes those older than the topic's retention.ms.
// kafkajs then resets the consumer to the new log start without a word and fetches nothing more
// from the range, so a reader that only waited for its end offsets would wait for ever. A watchdog
// reads the partitions' bounds every `watchMs` and fails the read, naming the lost offsets, once a
// partition's log starts after the next offset still to read, or ends before the range does.
import {randomUUID} from 'node:crypto'
import type {Admin, Kafka} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {kafkaFailure} from '../kafka/client.js'
import {deleteEmptyGroups} from '../kafka/groups.js'
import type {PartitionRange, ReplayRecord} from './replay-record.js'

export type ChunkHandler = (partition: number, records: ReplayRecord[]) => Promise<void>

/** The prefix of the throwaway groups replays read with. */
export const REPLAY_GROUP_PREFIX = 'streamctl-replay-'

export interface ReadOptions {
  /** How often the watchdog looks for records deleted under the read. */
  watchMs?: number
  /** Stops the read (Ctrl-C): it rejects with the signal's reason, after deleting its group. */
  signal?: AbortSignal
}

export async function readTopicRange(
  kafka: Kafka,
  topic: string,
  ranges: readonly PartitionRange[],
  onChunk: ChunkHandler,
  options: ReadOptions = {},
): Promise<void> {
  const {watchMs = 2000, signal} = options
  signal?.throwIfAborted()
  const pending = new Map(ranges.filter((range) => range.end > range.start).map((range) => [range.partition, range]))
  if (pending.size === 0) return
  const next = new Map([...pending.values()].map((range) => [range.partition, range.start]))
  const groupId = `${REPLAY_GROUP_PREFIX}${randomUUID()}`
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
    retry: {retries: 2},
  })
  let settle!: (error?: Error) => void
  const finished = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())))
  // The watchdog may fail the read while the consumer is still joining, before anything awaits it.
  finished.catch(() => {})
  const abort = () => settle(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'))
  signal?.addEventListener('abort', abort, {once: true})
  const admin = kafka.admin()
  let watchdog: NodeJS.Timeout | undefined
  try {
    await admin.connect()
    await removeLeftoverGroups(admin)
    const watch = () => {
      watchdog = setTimeout(() => {
        lostRecords(admin, topic, pending, next)
          .then((lost) => (lost ? settle(lost) : watch()))
          .catch(() => watch())
      }, watchMs)
    }
    watch()
    await consumer.connect()
    await consumer.subscribe({topic, fromBeginning: true})
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of next)
        if (pending.has(partition)) consumer.seek({topic, partition, offset: String(offset)})
    })
    consumer.on(consumer.events.CRASH, ({payload}) => settle(kafkaFailure(payload.error, `reading ${topic}`)))
    await consumer.run({
      // The read seeks to its own starts; committed offsets would only show up as lag.
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, pending.size),
      eachBatch: async ({batch, heartbeat}) => {
        const range = pending.get(batch.partition)
        if (!range) return
        const from = next.get(batch.partition)!
        const records: ReplayRecord[] = []
        for (const message of batch.messages) {
          const offset = Number(message.offset)
          if (offset < from || offset >= range.end) continue
          records.push({
            partition: batch.partition,
            offset,
            timestamp: Number(message.timestamp),
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? '',
          })
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
    signal?.removeEventListener('abort', abort)
    clearTimeout(watchdog)
    await consumer.disconnect().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
    await deleteEmptyGroups(admin, [groupId])
      .catch(() => {}) // deleting the reader's throwaway group is housekeeping; the read is done
      .finally(() => admin.disconnect().catch(() => {})) // best effort: the outcome is already decided and a broken connection has nothing left to close
  }
}

/** Deletes the memberless groups of earlier replays (one killed with SIGKILL cannot delete its own). */
async function removeLeftoverGroups(admin: Admin): Promise<void> {
  try {
    const {groups} = await admin.listGroups()
    const ours = groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(REPLAY_GROUP_PREFIX))
    if (ours.length === 0) return
    const described = await admin.describeGroups(ours)
    const idle = described.groups
      .filter((group) => group.members.length === 0 && (group.state === 'Empty' || group.state === 'Dead'))
      .map((group) => group.groupId)
    await deleteEmptyGroups(admin, idle, 0)
  } catch {
    // Housekeeping only: a broker without DeleteGroups keeps them, and the replay goes on.
  }
}

/** The error of a pending partition whose next offset is gone (before its log start) or beyond its end. */
async function lostRecords(
  admin: Admin,
  topic: string,
  pending: ReadonlyMap<number, PartitionRange>,
  next: ReadonlyMap<number, number>,
): Promise<StreamctlError | undefined> {
  const bounds = await admin.fetchTopicOffsets(topic)
  for (const {partition, low, high} of bounds) {
    const range = pending.get(partition)
    if (!range) continue
    const wanted = next.get(partition)!
    const [start, end] = [Number(low), Number(high)]
    if (start > wanted) {
      return new StreamctlError(
        'REPLAY_RECORDS_DELETED',
        `topic "${topic}" partition ${partition}: offsets ${wanted}-${Math.min(start, range.end) - 1} were deleted while the replay read them (the log now starts at ${start}), most likely by the topic's retention.ms`,
        {
          hint: `Records older than the topic's retention.ms are deleted (\`streamctl topics describe ${topic}\` shows it). Replay a later range with --from, or load the recording again with --timestamps now.`,
          details: {topic, partition, nextOffset: wanted, logStartOffset: start, rangeEnd: range.end},
        },
      )
    }
    if (end < range.end && end <= wanted) {
      return new StreamctlError(
        'REPLAY_RECORDS_DELETED',
        `topic "${topic}" partition ${partition} now ends at offset ${end}, before the replay's range ends (${range.end}): the topic was deleted or recreated while the replay read it`,
        {
          details: {topic, partition, nextOffset: wanted, highWatermark: end, rangeEnd: range.end},
        },
      )
    }
  }
  return undefined
}
