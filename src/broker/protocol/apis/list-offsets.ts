// ListOffsets (key 2), versions 0-7, transcribed from Kafka's ListOffsetsRequest/Response.json
// (flexible from v6). v0 answers with a list of offsets (at most one here), v1+ with one offset and
// its timestamp. The timestamp asked for is a time, or one of the special values below.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export const LATEST_TIMESTAMP = -1
export const EARLIEST_TIMESTAMP = -2
/** v7+ (KIP-734): the offset of the record with the largest timestamp. */
export const MAX_TIMESTAMP = -3

export interface ListOffsetsRequest {
  replicaId: number
  isolationLevel: number
  topics: Array<{
    name: string
    partitions: Array<{partition: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number}>
  }>
}

export const ListOffsetsRequestSchema = new MessageSchema<ListOffsetsRequest>(
  'ListOffsetsRequest',
  [
    field('replicaId', 'int32', '0+'),
    field('isolationLevel', 'int8', '2+'),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [
            field('partition', 'int32', '0+'),
            field('currentLeaderEpoch', 'int32', '4+', {default: -1}),
            field('timestamp', 'int64', '0+'),
            field('maxNumOffsets', 'int32', '0', {default: 1}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('ListOffsets'),
)

export interface ListOffsetsPartitionResponse {
  partition: number
  errorCode: number
  /** v0 only: the offset found, or none. */
  oldStyleOffsets: number[]
  timestamp: number
  offset: number
  leaderEpoch: number
}

export interface ListOffsetsResponse {
  throttleTimeMs?: number
  topics: Array<{name: string; partitions: ListOffsetsPartitionResponse[]}>
}

export const ListOffsetsResponseSchema = new MessageSchema<ListOffsetsResponse>(
  'ListOffsetsResponse',
  [
    field('throttleTimeMs', 'int32', '2+'),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [
            field('partition', 'int32', '0+'),
            field('errorCode', 'int16', '0+'),
            array('oldStyleOffsets', 'int64', '0'),
            field('timestamp', 'int64', '1+', {default: -1}),
            field('offset', 'int64', '1+', {default: -1}),
            field('leaderEpoch', 'int32', '4+', {default: -1}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('ListOffsets'),
)
