// SyncGroup Request (Version: 0-2) => group_id STRING generation_id INT32 member_id STRING [assignments]
// SyncGroup Request (Version: 3) => group_id generation_id member_id group_instance_id NULLABLE_STRING [assignments]
//   assignments => member_id STRING assignment BYTES    (only the leader sends them; passed through as is)
//
// SyncGroup Response (Version: 0) => error_code INT16 assignment BYTES
// SyncGroup Response (Version: 1-3) => throttle_time_ms INT32 error_code INT16 assignment BYTES
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  assignments: Array<{memberId: string; assignment: Buffer}>
}

export function decodeSyncGroupRequest(decoder: Decoder, version: number): SyncGroupRequest {
  const groupId = decoder.readString()
  const generationId = decoder.readInt32()
  const memberId = decoder.readString()
  if (version >= 3) decoder.readNullableString()
  const assignments = decoder.readArray((item) => ({
    memberId: item.readString(),
    assignment: Buffer.from(item.readRequiredBytes()),
  }))
  return {groupId, generationId, memberId, assignments}
}

export function encodeSyncGroupResponse(
  encoder: Encoder,
  version: number,
  response: {errorCode: number; assignment: Buffer},
): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder.writeInt16(response.errorCode).writeBytes(response.assignment)
}
