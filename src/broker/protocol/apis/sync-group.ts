// SyncGroup (key 14), from Kafka's SyncGroupRequest/Response.json, versions 0-5 (flexible from 4).
// Only the leader sends assignments; they are passed through to each member as they are. v5+ name
// the protocol type and name on both sides.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
  protocolType?: string | null
  protocolName?: string | null
  assignments: Array<{memberId: string; assignment: Buffer}>
}

export const SyncGroupRequestSchema = new MessageSchema<SyncGroupRequest>(
  'SyncGroupRequest',
  [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '0+'),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '3+', {nullable: '3+', default: null}),
    field('protocolType', 'string', '5+', {nullable: '5+', default: null}),
    field('protocolName', 'string', '5+', {nullable: '5+', default: null}),
    array('assignments', [field('memberId', 'string', '0+'), field('assignment', 'bytes', '0+')], '0+'),
  ],
  flexibleVersions('SyncGroup'),
)

export function decodeSyncGroupRequest(decoder: Decoder, version: number): SyncGroupRequest {
  const request = SyncGroupRequestSchema.read(decoder, version)
  // Assignments outlive the request (a member may ask again), so they must not view the frame.
  for (const item of request.assignments) item.assignment = Buffer.from(item.assignment)
  return request
}

export interface SyncGroupResponse {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export const SyncGroupResponseSchema = new MessageSchema<SyncGroupResponse>(
  'SyncGroupResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    field('protocolType', 'string', '5+', {nullable: '5+', default: null}),
    field('protocolName', 'string', '5+', {nullable: '5+', default: null}),
    field('assignment', 'bytes', '0+'),
  ],
  flexibleVersions('SyncGroup'),
)
