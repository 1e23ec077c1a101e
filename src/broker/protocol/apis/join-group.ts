// JoinGroup Request (Version: 0) => group_id STRING session_timeout_ms INT32 member_id STRING protocol_type STRING [protocols]
// JoinGroup Request (Version: 1-4) => group_id session_timeout_ms rebalance_timeout_ms INT32 member_id protocol_type [protocols]
// JoinGroup Request (Version: 5) => group_id session_timeout_ms rebalance_timeout_ms member_id group_instance_id NULLABLE_STRING protocol_type [protocols]
//   protocols => name STRING metadata BYTES
//
// JoinGroup Response (Version: 0-1) => error_code INT16 generation_id INT32 protocol_name STRING leader STRING member_id STRING [members]
// JoinGroup Response (Version: 2-4) => throttle_time_ms INT32 (then as v0-1)
// JoinGroup Response (Version: 5) => as v2-4, members carry group_instance_id NULLABLE_STRING
//   members => member_id STRING group_instance_id(v5+) metadata BYTES
// v4+: a member joining with an empty member_id gets MEMBER_ID_REQUIRED and its new id, and joins again.
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface GroupProtocol {
  name: string
  metadata: Buffer
}

export interface JoinGroupRequest {
  groupId: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string
  protocols: GroupProtocol[]
}

export function decodeJoinGroupRequest(decoder: Decoder, version: number): JoinGroupRequest {
  const groupId = decoder.readString()
  const sessionTimeoutMs = decoder.readInt32()
  const rebalanceTimeoutMs = version >= 1 ? decoder.readInt32() : sessionTimeoutMs
  const memberId = decoder.readString()
  const groupInstanceId = version >= 5 ? decoder.readNullableString() : null
  const protocolType = decoder.readString()
  const protocols = decoder.readArray((protocol) => ({
    name: protocol.readString(),
    metadata: Buffer.from(protocol.readRequiredBytes()),
  }))
  return {groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols}
}

export interface JoinGroupResponse {
  errorCode: number
  generationId: number
  protocolName: string
  leader: string
  memberId: string
  members: Array<{memberId: string; metadata: Buffer}>
}

export function encodeJoinGroupResponse(encoder: Encoder, version: number, response: JoinGroupResponse): void {
  if (version >= 2) encoder.writeInt32(0)
  encoder
    .writeInt16(response.errorCode)
    .writeInt32(response.generationId)
    .writeString(response.protocolName)
    .writeString(response.leader)
    .writeString(response.memberId)
  encoder.writeArray(response.members, (out, member) => {
    out.writeString(member.memberId)
    if (version >= 5) out.writeNullableString(null)
    out.writeBytes(member.metadata)
  })
}
