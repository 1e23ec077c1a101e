// ListOffsets Request (Version: 0) => replica_id INT32 [topics]
//   topics => name STRING [partitions]
//     partitions => partition_index INT32 timestamp INT64 max_num_offsets INT32
// ListOffsets Request (Version: 1) => replica_id INT32 [topics]      (partitions without max_num_offsets)
// ListOffsets Request (Version: 2-3) => replica_id INT32 isolation_level INT8 [topics]
//   timestamp: -1 latest, -2 earliest, otherwise the first offset whose timestamp is >= it
//
// ListOffsets Response (Version: 0) => [topics]
//   topics => name STRING [partitions]
//     partitions => partition_index INT32 error_code INT16 [old_style_offsets INT64]
// ListOffsets Response (Version: 1) => [topics] (partitions => partition_index error_code timestamp INT64 offset INT64)
// ListOffsets Response (Version: 2-3) => throttle_time_ms INT32 [topics]
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export const LATEST_TIMESTAMP = -1
export const EARLIEST_TIMESTAMP = -2

export interface ListOffsetsRequest {
  /** v2+: 1 (read_committed) asks for the last stable offset as `latest`. */
  isolationLevel: number
  topics: Array<{name: string; partitions: Array<{partition: number; timestamp: number}>}>
}

export function decodeListOffsetsRequest(decoder: Decoder, version: number): ListOffsetsRequest {
  decoder.readInt32()
  const isolationLevel = version >= 2 ? decoder.readInt8() : 0
  return {
    isolationLevel,
    topics: decoder.readArray((topic) => ({
      name: topic.readString(),
      partitions: topic.readArray((partition) => {
        const index = partition.readInt32()
        const timestamp = partition.readInt64Number()
        if (version === 0) partition.readInt32()
        return {partition: index, timestamp}
      }),
    })),
  }
}

export interface ListOffsetsPartitionResponse {
  partition: number
  errorCode: number
  timestamp: number
  offset: number
}

export interface ListOffsetsResponse {
  topics: Array<{name: string; partitions: ListOffsetsPartitionResponse[]}>
}

export function encodeListOffsetsResponse(encoder: Encoder, version: number, response: ListOffsetsResponse): void {
  if (version >= 2) encoder.writeInt32(0)
  encoder.writeArray(response.topics, (out, topic) => {
    out.writeString(topic.name).writeArray(topic.partitions, (inner, partition) => {
      inner.writeInt32(partition.partition).writeInt16(partition.errorCode)
      if (version === 0)
        inner.writeArray(partition.offset >= 0 ? [partition.offset] : [], (offsets, offset) =>
          offsets.writeInt64(offset),
        )
      else inner.writeInt64(partition.timestamp).writeInt64(partition.offset)
    })
  })
}
