// ListOffsets: earliest, latest (the last stable offset for read_committed), the largest timestamp,
// and by timestamp through the time index.
import type {RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode} from '../protocol/errors.js'
import {
  ListOffsetsRequestSchema,
  ListOffsetsResponseSchema,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  type ListOffsetsPartitionResponse,
} from '../protocol/apis/list-offsets.js'
import type {PartitionLog} from '../log/partition-log.js'
import {READ_COMMITTED} from '../txn/partition-transactions.js'

/** The offset a timestamp asks for, and the timestamp of the record there (-1 for the log's ends). */
function findOffset(
  log: PartitionLog,
  timestamp: number,
  latest: () => number,
): {offset: number; timestamp: number} | undefined {
  if (timestamp === LATEST_TIMESTAMP) return {offset: latest(), timestamp: -1}
  if (timestamp === EARLIEST_TIMESTAMP) return {offset: log.logStartOffset, timestamp: -1}
  if (timestamp === MAX_TIMESTAMP) return log.offsetOfMaxTimestamp()
  return log.offsetForTimestamp(timestamp)
}

export function handleListOffsets({decoder, info, broker}: RequestContext): Encoder {
  const request = ListOffsetsRequestSchema.read(decoder, info.apiVersion)
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((wanted): ListOffsetsPartitionResponse => {
      const partition = broker.topics.partition(topic.name, wanted.partition)
      const latest = () =>
        request.isolationLevel === READ_COMMITTED
          ? broker.transactions.lastStableOffset(topic.name, wanted.partition, partition!.log.highWatermark)
          : partition!.log.highWatermark
      const found = partition && findOffset(partition.log, wanted.timestamp, latest)
      return {
        partition: wanted.partition,
        errorCode: partition ? 0 : errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
        oldStyleOffsets: found ? [found.offset] : [],
        timestamp: found?.timestamp ?? -1,
        offset: found?.offset ?? -1,
        // The one leader's epoch never changes (Metadata reports 0 too).
        leaderEpoch: found ? 0 : -1,
      }
    }),
  }))
  return ListOffsetsResponseSchema.encode(info.apiVersion, {topics})
}
