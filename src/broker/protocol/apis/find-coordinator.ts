// FindCoordinator (key 10), from Kafka's FindCoordinatorRequest/Response.json, versions 0-4
// (flexible from 3). v0-3 ask for one key and get one node; v4 batches `coordinatorKeys` and gets a
// `coordinators` entry per key. Key type 0 is a group, 1 a transactional id.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

export interface FindCoordinatorRequest {
  key: string
  keyType: number
  coordinatorKeys: string[]
}

export const FindCoordinatorRequestSchema = new MessageSchema<FindCoordinatorRequest>(
  'FindCoordinatorRequest',
  [field('key', 'string', '0-3'), field('keyType', 'int8', '1+'), array('coordinatorKeys', 'string', '4+')],
  flexibleVersions('FindCoordinator'),
)

export interface Coordinator {
  key: string
  nodeId: number
  host: string
  port: number
  errorCode: number
  errorMessage: string | null
}

/** v0-3 carry one coordinator's fields at the top level; v4 a list of them. */
export interface FindCoordinatorResponse extends Omit<Coordinator, 'key'> {
  coordinators: Coordinator[]
}

export const FindCoordinatorResponseSchema = new MessageSchema<FindCoordinatorResponse>(
  'FindCoordinatorResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0-3'),
    field('errorMessage', 'string', '1-3', {nullable: '1-3'}),
    field('nodeId', 'int32', '0-3'),
    field('host', 'string', '0-3'),
    field('port', 'int32', '0-3'),
    array(
      'coordinators',
      [
        field('key', 'string', '4+'),
        field('nodeId', 'int32', '4+'),
        field('host', 'string', '4+'),
        field('port', 'int32', '4+'),
        field('errorCode', 'int16', '4+'),
        field('errorMessage', 'string', '4+', {nullable: '4+'}),
      ],
      '4+',
    ),
  ],
  flexibleVersions('FindCoordinator'),
)

/** The keys a request asks about, whichever version carried them. */
export function coordinatorKeysOf(request: FindCoordinatorRequest, version: number): string[] {
  return version >= 4 ? request.coordinatorKeys : [request.key]
}

export function decodeFindCoordinatorRequest(decoder: Decoder, version: number): FindCoordinatorRequest {
  return FindCoordinatorRequestSchema.read(decoder, version)
}
