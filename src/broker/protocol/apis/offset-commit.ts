// OffsetCommit Request (Version: 0) => group_id STRING [topics]
// OffsetCommit Request (Version: 1) => group_id generation_id INT32 member_id STRING [topics]   (partitions carry commit_timestamp INT64)
// OffsetCommit Request (Version: 2-4) => group_id generation_id member_id retention_time_ms INT64 [topics]
// OffsetCommit Request (Version: 5) => group_id generation_id member_id [topics]
//   topics => name STRING [partitions]
//     partitions => partition_index INT32 committed_offset INT64 commit_timestamp INT64(v1 only) committed_metadata NULLABLE_STRING
// A "simple" commit (generation -1, empty member id) is accepted for a group with no members.
//
// OffsetCommit Response (Version: 0-2) => [topics]
// OffsetCommit Response (Version: 3-5) => throttle_time_ms INT32 [topics]
//   topics => name STRING [partitions]
//     partitions => partition_index INT32 error_code INT16
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface OffsetCommitRequest {
  groupId: string
  generationId: number
  memberId: string
  topics: Array<{name: string; partitions: Array<{partition: number; offset: number; metadata: string | null}>}>
}

export function decodeOffsetCommitRequest(decoder: Decoder, version: number): OffsetCommitRequest {
  const groupId = decoder.readString()
  const generationId = version >= 1 ? decoder.readInt32() : -1
  const memberId = version >= 1 ? decoder.readString() : ''
  if (version >= 2 && version <= 4) decoder.readInt64()
  const topics = decoder.readArray((topic) => ({
    name: topic.readString(),
    partitions: topic.readArray((partition) => {
      const index = partition.readInt32()
      const offset = partition.readInt64Number()
      if (version === 1) partition.readInt64()
      return {partition: index, offset, metadata: partition.readNullableString()}
    }),
  }))
  return {groupId, generationId, memberId, topics}
}

export type PartitionErrors = Array<{name: string; partitions: Array<{partition: number; errorCode: number}>}>

export function encodeOffsetCommitResponse(encoder: Encoder, version: number, topics: PartitionErrors): void {
  if (version >= 3) encoder.writeInt32(0)
  encoder.writeArray(topics, (out, topic) =>
    out
      .writeString(topic.name)
      .writeArray(topic.partitions, (inner, partition) =>
        inner.writeInt32(partition.partition).writeInt16(partition.errorCode),
      ),
  )
}
