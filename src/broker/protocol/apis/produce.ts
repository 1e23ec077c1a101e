// Produce Request (Version: 3-7) => transactional_id NULLABLE_STRING acks INT16 timeout_ms INT32 [topic_data]
//   topic_data => name STRING [partition_data]
//     partition_data => index INT32 records NULLABLE_BYTES (RecordBatch v2, one or more)
//
// Produce Response (Version: 3-7) => [responses] throttle_time_ms INT32
//   responses => name STRING [partition_responses]
//     partition_responses => index INT32 error_code INT16 base_offset INT64 log_append_time_ms INT64 log_start_offset INT64(v5+)
// acks = 0: the broker sends no response at all.
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface ProducePartitionData {
  partition: number
  records: Buffer | null
}

export interface ProduceRequest {
  transactionalId: string | null
  acks: number
  timeoutMs: number
  topics: Array<{name: string; partitions: ProducePartitionData[]}>
}

export function decodeProduceRequest(decoder: Decoder): ProduceRequest {
  return {
    transactionalId: decoder.readNullableString(),
    acks: decoder.readInt16(),
    timeoutMs: decoder.readInt32(),
    topics: decoder.readArray((topic) => ({
      name: topic.readString(),
      partitions: topic.readArray((partition) => ({partition: partition.readInt32(), records: partition.readBytes()})),
    })),
  }
}

export interface ProducePartitionResponse {
  partition: number
  errorCode: number
  baseOffset: number
  logAppendTimeMs: number
  logStartOffset: number
}

export interface ProduceResponse {
  topics: Array<{name: string; partitions: ProducePartitionResponse[]}>
}

export function encodeProduceResponse(encoder: Encoder, version: number, response: ProduceResponse): void {
  encoder.writeArray(response.topics, (out, topic) => {
    out.writeString(topic.name).writeArray(topic.partitions, (inner, partition) => {
      inner
        .writeInt32(partition.partition)
        .writeInt16(partition.errorCode)
        .writeInt64(partition.baseOffset)
        .writeInt64(partition.logAppendTimeMs)
      if (version >= 5) inner.writeInt64(partition.logStartOffset)
    })
  })
  encoder.writeInt32(0)
}
