// Fetch Request (Version: 4-11) => replica_id INT32 max_wait_ms INT32 min_bytes INT32 max_bytes INT32
//     isolation_level INT8 session_id INT32(v7+) session_epoch INT32(v7+) [topics] [forgotten_topics_data](v7+) rack_id STRING(v11+)
//   topics => topic STRING [partitions]
//     partitions => partition INT32 current_leader_epoch INT32(v9+) fetch_offset INT64 log_start_offset INT64(v5+) partition_max_bytes INT32
//   forgotten_topics_data => topic STRING [partitions INT32]
//
// Fetch Response (Version: 4-11) => throttle_time_ms INT32 error_code INT16(v7+) session_id INT32(v7+) [responses]
//   responses => topic STRING [partitions]
//     partitions => partition_index INT32 error_code INT16 high_watermark INT64 last_stable_offset INT64
//       log_start_offset INT64(v5+) [aborted_transactions](nullable) preferred_read_replica INT32(v11+) records NULLABLE_BYTES
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface FetchPartitionRequest {
  partition: number
  fetchOffset: number
  partitionMaxBytes: number
}

export interface FetchRequest {
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  isolationLevel: number
  topics: Array<{topic: string; partitions: FetchPartitionRequest[]}>
}

export function decodeFetchRequest(decoder: Decoder, version: number): FetchRequest {
  decoder.readInt32() // replica_id
  const maxWaitMs = decoder.readInt32()
  const minBytes = decoder.readInt32()
  const maxBytes = decoder.readInt32()
  const isolationLevel = decoder.readInt8()
  if (version >= 7) {
    decoder.readInt32()
    decoder.readInt32()
  }
  const topics = decoder.readArray((topic) => ({
    topic: topic.readString(),
    partitions: topic.readArray((partition) => {
      const index = partition.readInt32()
      if (version >= 9) partition.readInt32()
      const fetchOffset = partition.readInt64Number()
      if (version >= 5) partition.readInt64()
      return {partition: index, fetchOffset, partitionMaxBytes: partition.readInt32()}
    }),
  }))
  if (version >= 7)
    decoder.readArray((forgotten) => ({
      topic: forgotten.readString(),
      partitions: forgotten.readArray((partition) => partition.readInt32()),
    }))
  if (version >= 11) decoder.readString()
  return {maxWaitMs, minBytes, maxBytes, isolationLevel, topics}
}

export interface FetchPartitionResponse {
  partition: number
  errorCode: number
  highWatermark: number
  /** The first offset of the earliest open transaction, else the high watermark (KIP-98). */
  lastStableOffset: number
  logStartOffset: number
  /** read_committed: the aborted transactions overlapping the returned range; null otherwise. */
  abortedTransactions: Array<{producerId: number; firstOffset: number}> | null
  /** Whole record batches, concatenated. */
  records: Buffer[]
}

export interface FetchResponse {
  topics: Array<{topic: string; partitions: FetchPartitionResponse[]}>
}

export function encodeFetchResponse(encoder: Encoder, version: number, response: FetchResponse): void {
  encoder.writeInt32(0)
  if (version >= 7) encoder.writeInt16(0).writeInt32(0)
  encoder.writeArray(response.topics, (out, topic) => {
    out.writeString(topic.topic).writeArray(topic.partitions, (inner, partition) => {
      inner
        .writeInt32(partition.partition)
        .writeInt16(partition.errorCode)
        .writeInt64(partition.highWatermark)
        .writeInt64(partition.lastStableOffset)
      if (version >= 5) inner.writeInt64(partition.logStartOffset)
      inner.writeNullableArray(partition.abortedTransactions, (out, aborted) =>
        out.writeInt64(aborted.producerId).writeInt64(aborted.firstOffset),
      )
      if (version >= 11) inner.writeInt32(-1)
      inner.writeInt32(partition.records.reduce((sum, chunk) => sum + chunk.length, 0))
      for (const chunk of partition.records) inner.writeRaw(chunk)
    })
  })
}
