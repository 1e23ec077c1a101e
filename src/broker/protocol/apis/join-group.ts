// JoinGroup (key 11), from Kafka's JoinGroupRequest/Response.json, versions 0-9 (flexible from 6).
// v4+: a member joining with an empty member id gets MEMBER_ID_REQUIRED and its new id, and joins
// again. v5+ carry the static member's group instance id, v7+ answer the protocol type, v8+ ask with
// a reason, v9+ answer whether the leader may skip the assignment (always false here).
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

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
  reason?: string | null
}

export const JoinGroupRequestSchema = new MessageSchema<JoinGroupRequest>(
  'JoinGroupRequest',
  [
    field('groupId', 'string', '0+'),
    field('sessionTimeoutMs', 'int32', '0+'),
    field('rebalanceTimeoutMs', 'int32', '1+', {default: -1}),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '5+', {nullable: '5+', default: null}),
    field('protocolType', 'string', '0+'),
    array('protocols', [field('name', 'string', '0+'), field('metadata', 'bytes', '0+')], '0+'),
    field('reason', 'string', '8+', {nullable: '8+', default: null}),
  ],
  flexibleVersions('JoinGroup'),
)

/** The request with v0's missing rebalance timeout taken as the session timeout, as Kafka does. */
export function decodeJoinGroupRequest(decoder: Decoder, version: number): JoinGroupRequest {
  const request = JoinGroupRequestSchema.read(decoder, version)
  if (version < 1) request.rebalanceTimeoutMs = request.sessionTimeoutMs
  // Metadata is kept past this request (it is every rejoin's answer), so it must not view the frame.
  for (const protocol of request.protocols) protocol.metadata = Buffer.from(protocol.metadata)
  return request
}

export interface JoinGroupResponse {
  errorCode: number
  generationId: number
  /** v7+: the group's protocol type (null on an error). */
  protocolType?: string | null
  protocolName: string
  leader: string
  /** v9+: the leader keeps the current assignment (a static leader rejoined a Stable group). */
  skipAssignment?: boolean
  memberId: string
  members: Array<{memberId: string; groupInstanceId?: string | null; metadata: Buffer}>
}

export const JoinGroupResponseSchema = new MessageSchema<JoinGroupResponse>(
  'JoinGroupResponse',
  [
    field('throttleTimeMs', 'int32', '2+'),
    field('errorCode', 'int16', '0+'),
    field('generationId', 'int32', '0+', {default: -1}),
    field('protocolType', 'string', '7+', {nullable: '7+', default: null}),
    field('protocolName', 'string', '0+', {nullable: '7+'}),
    field('leader', 'string', '0+'),
    field('skipAssignment', 'bool', '9+'),
    field('memberId', 'string', '0+'),
    array(
      'members',
      [
        field('memberId', 'string', '0+'),
        field('groupInstanceId', 'string', '5+', {nullable: '5+', default: null}),
        field('metadata', 'bytes', '0+'),
      ],
      '0+',
    ),
  ],
  flexibleVersions('JoinGroup'),
)
