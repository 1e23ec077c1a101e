// Heartbeat Request (Version: 0-2) => group_id STRING generation_id INT32 member_id STRING
// Heartbeat Request (Version: 3) => group_id generation_id member_id group_instance_id NULLABLE_STRING
//
// Heartbeat Response (Version: 0) => error_code INT16
// Heartbeat Response (Version: 1-3) => throttle_time_ms INT32 error_code INT16
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface HeartbeatRequest {
  groupId: string
  generationId: number
  memberId: string
}

export function decodeHeartbeatRequest(decoder: Decoder, version: number): HeartbeatRequest {
  const request = {groupId: decoder.readString(), generationId: decoder.readInt32(), memberId: decoder.readString()}
  if (version >= 3) decoder.readNullableString()
  return request
}

/** The shape shared by every response that is only an error code (after v0, a throttle time first). */
export function encodeErrorOnlyResponse(encoder: Encoder, version: number, response: {errorCode: number}): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder.writeInt16(response.errorCode)
}
