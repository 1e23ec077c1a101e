// DeleteTopics Request (Version: 0-1) => [topic_names STRING] timeout_ms INT32
//
// DeleteTopics Response (Version: 0) => [responses]
// DeleteTopics Response (Version: 1) => throttle_time_ms INT32 [responses]
//   responses => name STRING error_code INT16
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export function decodeDeleteTopicsRequest(decoder: Decoder): {topics: string[]; timeoutMs: number} {
  return {topics: decoder.readArray((topic) => topic.readString()), timeoutMs: decoder.readInt32()}
}

export function encodeDeleteTopicsResponse(
  encoder: Encoder,
  version: number,
  topics: Array<{name: string; errorCode: number}>,
): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder.writeArray(topics, (out, topic) => out.writeString(topic.name).writeInt16(topic.errorCode))
}
