// OffsetCommit (key 8), from Kafka's OffsetCommitRequest/Response.json, versions 0-8 (flexible
// from 8). Kafka's PartitionIndex, CommittedOffset and CommittedMetadata are `partition`, `offset`
// and `metadata` here. v1 carries a commit timestamp and v2-4 a retention time; both are ignored
// (the broker stamps commits itself and keeps them until deleted). A "simple" commit (generation
// -1, empty member id) is accepted for a group with no members.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

export interface OffsetCommitRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
  topics: Array<{name: string; partitions: Array<{partition: number; offset: number; metadata: string | null}>}>
}

export const OffsetCommitRequestSchema = new MessageSchema<OffsetCommitRequest>(
  'OffsetCommitRequest',
  [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '1+', {default: -1}),
    field('memberId', 'string', '1+'),
    field('groupInstanceId', 'string', '7+', {nullable: '7+', default: null}),
    field('retentionTimeMs', 'int64', '2-4', {default: -1}),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [
            field('partition', 'int32', '0+'),
            field('offset', 'int64', '0+'),
            field('committedLeaderEpoch', 'int32', '6+', {default: -1}),
            field('commitTimestamp', 'int64', '1', {default: -1}),
            field('metadata', 'string', '0+', {nullable: '0+'}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('OffsetCommit'),
)

export function decodeOffsetCommitRequest(decoder: Decoder, version: number): OffsetCommitRequest {
  return OffsetCommitRequestSchema.read(decoder, version)
}

export type PartitionErrors = Array<{name: string; partitions: Array<{partition: number; errorCode: number}>}>

/** Topics, each with its partitions' error codes: OffsetCommit's answer and OffsetDelete's. */
export const partitionErrorsFields = array(
  'topics',
  [
    field('name', 'string', '0+'),
    array('partitions', [field('partition', 'int32', '0+'), field('errorCode', 'int16', '0+')], '0+'),
  ],
  '0+',
)

export const OffsetCommitResponseSchema = new MessageSchema<{topics: PartitionErrors}>(
  'OffsetCommitResponse',
  [field('throttleTimeMs', 'int32', '3+'), partitionErrorsFields],
  flexibleVersions('OffsetCommit'),
)
