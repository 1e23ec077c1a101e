// LeaveGroup (key 13), from Kafka's LeaveGroupRequest/Response.json, versions 0-5 (flexible from
// 4). v0-2 name one member; v3+ leave a batch of members, each answered with its own error code;
// v5+ members say why they leave.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

export interface LeavingMember {
  memberId: string
  groupInstanceId: string | null
  reason?: string | null
}

export interface LeaveGroupRequest {
  groupId: string
  /** v0-2 */
  memberId: string
  /** v3+ */
  members: LeavingMember[]
}

export const LeaveGroupRequestSchema = new MessageSchema<LeaveGroupRequest>(
  'LeaveGroupRequest',
  [
    field('groupId', 'string', '0+'),
    field('memberId', 'string', '0-2'),
    array(
      'members',
      [
        field('memberId', 'string', '3+'),
        field('groupInstanceId', 'string', '3+', {nullable: '3+', default: null}),
        field('reason', 'string', '5+', {nullable: '5+', default: null}),
      ],
      '3+',
    ),
  ],
  flexibleVersions('LeaveGroup'),
)

export function decodeLeaveGroupRequest(decoder: Decoder, version: number): LeaveGroupRequest {
  return LeaveGroupRequestSchema.read(decoder, version)
}

/** The members a request names, whichever version carried them. */
export function leavingMembers(request: LeaveGroupRequest, version: number): LeavingMember[] {
  return version >= 3 ? request.members : [{memberId: request.memberId, groupInstanceId: null}]
}

export interface LeaveGroupResponse {
  errorCode: number
  members: Array<{memberId: string; groupInstanceId: string | null; errorCode: number}>
}

export const LeaveGroupResponseSchema = new MessageSchema<LeaveGroupResponse>(
  'LeaveGroupResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    array(
      'members',
      [
        field('memberId', 'string', '3+'),
        field('groupInstanceId', 'string', '3+', {nullable: '3+'}),
        field('errorCode', 'int16', '3+'),
      ],
      '3+',
    ),
  ],
  flexibleVersions('LeaveGroup'),
)
