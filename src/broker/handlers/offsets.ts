// ListOffsets (earliest, latest, by timestamp through the time index) and InitProducerId.
import type {RequestContext} from '../context.js'
import {encodeResponse, type Encoder} from '../protocol/encoder.js'
import {errorCode} from '../protocol/errors.js'
import {
  decodeListOffsetsRequest,
  encodeListOffsetsResponse,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
} from '../protocol/apis/list-offsets.js'
import {decodeInitProducerIdRequest, encodeInitProducerIdResponse} from '../protocol/apis/init-producer-id.js'

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
        return {partition: wanted.partition, errorCode: 0, timestamp: -1, offset: log.highWatermark}
      if (wanted.timestamp === EARLIEST_TIMESTAMP)
        return {partition: wanted.partition, errorCode: 0, timestamp: -1, offset: log.logStartOffset}
      const found = log.offsetForTimestamp(wanted.timestamp)
      return {partition: wanted.partition, errorCode: 0, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1}
    }),
  }))
  return encodeResponse(encodeListOffsetsResponse, info.apiVersion, {topics})
}

export function handleInitProducerId({decoder, info, broker}: RequestContext): Encoder {
  decodeInitProducerIdRequest(decoder)
  return encodeResponse(encodeInitProducerIdResponse, info.apiVersion, {
    errorCode: 0,
    producerId: broker.nextProducerId(),
    producerEpoch: 0,
  })
}
