// OffsetFetch Request (Version: 1) => group_id STRING [topics]
// OffsetFetch Request (Version: 2-4) => group_id STRING [topics] (null: every committed partition)
//   topics => name STRING [partition_indexes INT32]
//
// OffsetFetch Response (Version: 1) => [topics]
// OffsetFetch Response (Version: 2) => [topics] error_code INT16
// OffsetFetch Response (Version: 3-4) => throttle_time_ms INT32 [topics] error_code INT16
//   topics => name STRING [partitions]
//     partitions => partition_index INT32 committed_offset INT64 metadata NULLABLE_STRING error_code INT16
//   committed_offset is -1 when the group has committed nothing for that partition.
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface OffsetFetchRequest {
  groupId: string
  topics: Array<{name: string; partitions: number[]}> | null
}

export function decodeOffsetFetchRequest(decoder: Decoder): OffsetFetchRequest {
  return {
    groupId: decoder.readString(),
    topics: decoder.readNullableArray((topic) => ({
      name: topic.readString(),
      partitions: topic.readArray((partition) => partition.readInt32()),
    })),
  }
}

export interface OffsetFetchResponse {
  errorCode: number
  topics: Array<{
    name: string
    partitions: Array<{partition: number; offset: number; metadata: string | null; errorCode: number}>
  }>
}

export function encodeOffsetFetchResponse(encoder: Encoder, version: number, response: OffsetFetchResponse): void {
  if (version >= 3) encoder.writeInt32(0)
  encoder.writeArray(response.topics, (out, topic) =>
    out
      .writeString(topic.name)
      .writeArray(topic.partitions, (inner, partition) =>
        inner
          .writeInt32(partition.partition)
          .writeInt64(partition.offset)
          .writeNullableString(partition.metadata)
          .writeInt16(partition.errorCode),
      ),
  )
  if (version >= 2) encoder.writeInt16(response.errorCode)
}
