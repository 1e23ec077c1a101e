// DescribeGroups Request (Version: 0-2) => [groups STRING]
//
// DescribeGroups Response (Version: 0) => [groups]
// DescribeGroups Response (Version: 1-2) => throttle_time_ms INT32 [groups]
//   groups => error_code INT16 group_id STRING group_state STRING protocol_type STRING protocol_data STRING [members]
//     members => member_id STRING client_id STRING client_host STRING member_metadata BYTES member_assignment BYTES
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export function decodeDescribeGroupsRequest(decoder: Decoder): {groups: string[]} {
  return {groups: decoder.readArray((group) => group.readString())}
}

export interface DescribedGroup {
  errorCode: number
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: Array<{memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer}>
}

export function encodeDescribeGroupsResponse(encoder: Encoder, version: number, groups: DescribedGroup[]): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder.writeArray(groups, (out, group) => {
    out
      .writeInt16(group.errorCode)
      .writeString(group.groupId)
      .writeString(group.state)
      .writeString(group.protocolType)
      .writeString(group.protocol)
    out.writeArray(group.members, (inner, member) =>
      inner
        .writeString(member.memberId)
        .writeString(member.clientId)
        .writeString(member.clientHost)
        .writeBytes(member.metadata)
        .writeBytes(member.assignment),
    )
  })
}
