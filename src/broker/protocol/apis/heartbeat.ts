// Heartbeat (key 12), from Kafka's HeartbeatRequest/Response.json, versions 0-4 (flexible from 4).
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {field, MessageSchema} from '../schema.js'

export interface HeartbeatRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export const HeartbeatRequestSchema = new MessageSchema<HeartbeatRequest>(
  'HeartbeatRequest',
  [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '0+'),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '3+', {nullable: '3+', default: null}),
  ],
  flexibleVersions('Heartbeat'),
)

export function decodeHeartbeatRequest(decoder: Decoder, version: number): HeartbeatRequest {
  return HeartbeatRequestSchema.read(decoder, version)
}

export const HeartbeatResponseSchema = new MessageSchema<{errorCode: number}>(
  'HeartbeatResponse',
  [field('throttleTimeMs', 'int32', '1+'), field('errorCode', 'int16', '0+')],
  flexibleVersions('Heartbeat'),
)
