// ListOffsets: earliest, latest (the last stable offset for read_committed), and by timestamp
// through the time index.
import type {RequestContext} from '../context.js'
import {encodeResponse, type Encoder} from '../protocol/encoder.js'
import {errorCode} from '../protocol/errors.js'
import {
  decodeListOffsetsRequest,
  encodeListOffsetsResponse,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
} from '../protocol/apis/list-offsets.js'
import {READ_COMMITTED} from '../txn/partition-transactions.js'

export function handleListOffsets({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeListOffsetsRequest(decoder, info.apiVersion)
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((wanted) => {
      const partition = broker.topics.partition(topic.name, wanted.partition)
      if (!partition)
        return {
          partition: wanted.partition,
          errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
          timestamp: -1,
          offset: -1,
        }
      const {log} = partition
      if (wanted.timestamp === LATEST_TIMESTAMP)
        return {
          partition: wanted.partition,
          errorCode: 0,
          timestamp: -1,
          offset:
            request.isolationLevel === READ_COMMITTED
              ? broker.transactions.lastStableOffset(topic.name, wanted.partition, log.highWatermark)
              : log.highWatermark,
        }
      if (wanted.timestamp === EARLIEST_TIMESTAMP)
        return {partition: wanted.partition, errorCode: 0, timestamp: -1, offset: log.logStartOffset}
      const found = log.offsetForTimestamp(wanted.timestamp)
      return {partition: wanted.partition, errorCode: 0, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1}
    }),
  }))
  return encodeResponse(encodeListOffsetsResponse, info.apiVersion, {topics})
}
