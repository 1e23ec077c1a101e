// CreateTopics Request (Version: 0) => [topics] timeout_ms INT32
// CreateTopics Request (Version: 1-3) => [topics] timeout_ms INT32 validate_only BOOLEAN
//   topics => name STRING num_partitions INT32 replication_factor INT16 [assignments] [configs]
//     assignments => partition_index INT32 [broker_ids INT32]
//     configs => name STRING value NULLABLE_STRING
//
// CreateTopics Response (Version: 0) => [topics]
// CreateTopics Response (Version: 1) => [topics]  (topics carry error_message)
// CreateTopics Response (Version: 2-3) => throttle_time_ms INT32 [topics]
//   topics => name STRING error_code INT16 error_message NULLABLE_STRING(v1+)
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface CreatableTopic {
  name: string
  numPartitions: number
  replicationFactor: number
  assignments: Array<{partition: number; brokerIds: number[]}>
  configs: Record<string, string>
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[]
  timeoutMs: number
  validateOnly: boolean
}

export function decodeCreateTopicsRequest(decoder: Decoder, version: number): CreateTopicsRequest {
  const topics = decoder.readArray((topic) => ({
    name: topic.readString(),
    numPartitions: topic.readInt32(),
    replicationFactor: topic.readInt16(),
    assignments: topic.readArray((assignment) => ({
      partition: assignment.readInt32(),
      brokerIds: assignment.readArray((broker) => broker.readInt32()),
    })),
    configs: Object.fromEntries(
      topic
        .readArray((config) => [config.readString(), config.readNullableString()] as const)
        .filter((entry): entry is readonly [string, string] => entry[1] !== null),
    ),
  }))
  const timeoutMs = decoder.readInt32()
  const validateOnly = version >= 1 ? decoder.readBoolean() : false
  return {topics, timeoutMs, validateOnly}
}

export type TopicResults = Array<{name: string; errorCode: number; errorMessage: string | null}>

export function encodeCreateTopicsResponse(encoder: Encoder, version: number, topics: TopicResults): void {
  if (version >= 2) encoder.writeInt32(0)
  encoder.writeArray(topics, (out, topic) => {
    out.writeString(topic.name).writeInt16(topic.errorCode)
    if (version >= 1) out.writeNullableString(topic.errorMessage)
  })
}
