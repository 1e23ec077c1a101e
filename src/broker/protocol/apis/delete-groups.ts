// DeleteGroups Request (Version: 0-1) => [groups_names STRING]
//
// DeleteGroups Response (Version: 0-1) => throttle_time_ms INT32 [results]
//   results => group_id STRING error_code INT16
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export function decodeDeleteGroupsRequest(decoder: Decoder): {groups: string[]} {
  return {groups: decoder.readArray((group) => group.readString())}
}

export function encodeDeleteGroupsResponse(
  encoder: Encoder,
  _version: number,
  results: Array<{groupId: string; errorCode: number}>,
): void {
  encoder
    .writeInt32(0)
    .writeArray(results, (out, result) => out.writeString(result.groupId).writeInt16(result.errorCode))
}
