// ListGroups Request (Version: 0-2) => (empty)
//
// ListGroups Response (Version: 0) => error_code INT16 [groups]
// ListGroups Response (Version: 1-2) => throttle_time_ms INT32 error_code INT16 [groups]
//   groups => group_id STRING protocol_type STRING
import type {Encoder} from '../encoder.js'

export function encodeListGroupsResponse(
  encoder: Encoder,
  version: number,
  groups: Array<{groupId: string; protocolType: string}>,
): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder
    .writeInt16(0)
    .writeArray(groups, (out, group) => out.writeString(group.groupId).writeString(group.protocolType))
}
