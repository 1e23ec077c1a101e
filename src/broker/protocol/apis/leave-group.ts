// LeaveGroup Request (Version: 0-2) => group_id STRING member_id STRING
// LeaveGroup Request (Version: 3) => group_id STRING [members]
//   members => member_id STRING group_instance_id NULLABLE_STRING
//
// LeaveGroup Response (Version: 0) => error_code INT16
// LeaveGroup Response (Version: 1-2) => throttle_time_ms INT32 error_code INT16
// LeaveGroup Response (Version: 3) => throttle_time_ms error_code [members]
//   members => member_id STRING group_instance_id NULLABLE_STRING error_code INT16
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface LeaveGroupRequest {
  groupId: string
  memberIds: string[]
}

export function decodeLeaveGroupRequest(decoder: Decoder, version: number): LeaveGroupRequest {
  const groupId = decoder.readString()
  if (version < 3) return {groupId, memberIds: [decoder.readString()]}
  const members = decoder.readArray((member) => {
    const memberId = member.readString()
    member.readNullableString()
    return memberId
  })
  return {groupId, memberIds: members}
}

export interface LeaveGroupResponse {
  errorCode: number
  members: Array<{memberId: string; errorCode: number}>
}

export function encodeLeaveGroupResponse(encoder: Encoder, version: number, response: LeaveGroupResponse): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder.writeInt16(response.errorCode)
  if (version >= 3)
    encoder.writeArray(response.members, (out, member) =>
      out.writeString(member.memberId).writeNullableString(null).writeInt16(member.errorCode),
    )
}
