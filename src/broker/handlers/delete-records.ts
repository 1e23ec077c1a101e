// DeleteRecords: moves partitions' log start offsets forward. Records below the new start are no
// longer served (a fetch there is OFFSET_OUT_OF_RANGE, "earliest" answers the new start), and the
// segments wholly below it are deleted; the start survives a restart (log/partition-log.ts).
import type {RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {DeleteRecordsRequestSchema, DeleteRecordsResponseSchema} from '../protocol/apis/delete-records.js'

/** The offset DeleteRecords reads as "up to the high watermark". */
const HIGH_WATERMARK = -1

export function handleDeleteRecords({decoder, info, broker}: RequestContext): Encoder {
  const request = DeleteRecordsRequestSchema.read(decoder, info.apiVersion)
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map(({partitionIndex, offset}) => {
      const partition = broker.topics.partition(topic.name, partitionIndex)
      if (!partition) return {partitionIndex, lowWatermark: -1, errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION')}
      const {log} = partition
      try {
        const lowWatermark = log.deleteRecordsBefore(offset === HIGH_WATERMARK ? log.highWatermark : offset)
        broker.logger.log('info', 'records deleted', {topic: topic.name, partition: partitionIndex, lowWatermark})
        return {partitionIndex, lowWatermark, errorCode: 0}
      } catch (error) {
        if (!(error instanceof KafkaProtocolError)) throw error
        return {partitionIndex, lowWatermark: log.logStartOffset, errorCode: error.code}
      }
    }),
  }))
  return DeleteRecordsResponseSchema.encode(info.apiVersion, {throttleTimeMs: 0, topics})
}
