// OffsetFetch (key 9), from Kafka's OffsetFetchRequest/Response.json, versions 1-8 (flexible from
// 6). v2+ may ask for every committed partition (null topics); v7+ may require stable offsets
// (refused while a transaction's offsets are pending); v8+ batch several groups, each answered
// with its own error code. A partition the group has not committed answers offset -1.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

type WantedTopics = Array<{name: string; partitions: number[]}> | null

export interface OffsetFetchRequest {
  /** v0-7 */
  groupId: string
  topics: WantedTopics
  /** v8+ */
  groups?: Array<{groupId: string; topics: WantedTopics}>
  requireStable?: boolean
}

const wantedTopic = [field('name', 'string', '0+'), array('partitions', 'int32', '0+')]

export const OffsetFetchRequestSchema = new MessageSchema<OffsetFetchRequest>(
  'OffsetFetchRequest',
  [
    field('groupId', 'string', '0-7'),
    array('topics', wantedTopic, '0-7', {nullable: '2-7'}),
    array('groups', [field('groupId', 'string', '8+'), array('topics', wantedTopic, '8+', {nullable: '8+'})], '8+'),
    field('requireStable', 'bool', '7+'),
  ],
  flexibleVersions('OffsetFetch'),
)

export function decodeOffsetFetchRequest(decoder: Decoder, version: number): OffsetFetchRequest {
  return OffsetFetchRequestSchema.read(decoder, version)
}

/** The groups a request asks about, whichever version carried them. */
export function offsetFetchGroups(
  request: OffsetFetchRequest,
  version: number,
): Array<{groupId: string; topics: WantedTopics}> {
  return version >= 8 ? (request.groups ?? []) : [{groupId: request.groupId, topics: request.topics}]
}

export interface FetchedOffsets {
  errorCode: number
  topics: Array<{
    name: string
    partitions: Array<{partition: number; offset: number; metadata: string | null; errorCode: number}>
  }>
}

export interface OffsetFetchResponse extends FetchedOffsets {
  groups?: Array<FetchedOffsets & {groupId: string}>
}

const fetchedTopic = [
  field('name', 'string', '0+'),
  array(
    'partitions',
    [
      field('partition', 'int32', '0+'),
      field('offset', 'int64', '0+'),
      field('committedLeaderEpoch', 'int32', '5+', {default: -1}),
      field('metadata', 'string', '0+', {nullable: '0+'}),
      field('errorCode', 'int16', '0+'),
    ],
    '0+',
  ),
]

export const OffsetFetchResponseSchema = new MessageSchema<OffsetFetchResponse>(
  'OffsetFetchResponse',
  [
    field('throttleTimeMs', 'int32', '3+'),
    array('topics', fetchedTopic, '0-7'),
    field('errorCode', 'int16', '2-7'),
    array(
      'groups',
      [field('groupId', 'string', '8+'), array('topics', fetchedTopic, '8+'), field('errorCode', 'int16', '8+')],
      '8+',
    ),
  ],
  flexibleVersions('OffsetFetch'),
)
