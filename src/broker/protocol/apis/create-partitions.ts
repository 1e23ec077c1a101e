// CreatePartitions Request (Version: 0-1) => [topics] timeout_ms INT32 validate_only BOOLEAN
//   topics => name STRING count INT32 [assignments](nullable)
//     assignments => [broker_ids INT32]
//
// CreatePartitions Response (Version: 0-1) => throttle_time_ms INT32 [results]
//   results => name STRING error_code INT16 error_message NULLABLE_STRING
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'
import type {TopicResults} from './create-topics.js'

export interface CreatePartitionsRequest {
  topics: Array<{name: string; count: number}>
  validateOnly: boolean
}

export function decodeCreatePartitionsRequest(decoder: Decoder): CreatePartitionsRequest {
  const topics = decoder.readArray((topic) => {
    const name = topic.readString()
    const count = topic.readInt32()
    topic.readNullableArray((assignment) => assignment.readArray((broker) => broker.readInt32()))
    return {name, count}
  })
  decoder.readInt32()
  return {topics, validateOnly: decoder.readBoolean()}
}

export function encodeCreatePartitionsResponse(encoder: Encoder, _version: number, results: TopicResults): void {
  encoder
    .writeInt32(0)
    .writeArray(results, (out, result) =>
      out.writeString(result.name).writeInt16(result.errorCode).writeNullableString(result.errorMessage),
    )
}
