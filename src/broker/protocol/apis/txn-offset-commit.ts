// TxnOffsetCommit (key 28), from Kafka's TxnOffsetCommitRequest/Response.json, versions 0-3:
// v2 adds the committed leader epoch, v3 (the first flexible one) the member id, group instance id
// and generation.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface TxnOffsetCommitRequest {
  transactionalId: string
  groupId: string
  producerId: number
  producerEpoch: number
  generationId: number
  memberId: string
  groupInstanceId: string | null
  topics: Array<{
    name: string
    partitions: Array<{
      partitionIndex: number
      committedOffset: number
      committedLeaderEpoch: number
      committedMetadata: string | null
    }>
  }>
}

export const TxnOffsetCommitRequestSchema = new MessageSchema<TxnOffsetCommitRequest>(
  'TxnOffsetCommitRequest',
  [
    field('transactionalId', 'string', '0+'),
    field('groupId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    field('generationId', 'int32', '3+', {default: -1}),
    field('memberId', 'string', '3+', {default: ''}),
    field('groupInstanceId', 'string', '3+', {nullable: '3+', default: null}),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [
            field('partitionIndex', 'int32', '0+'),
            field('committedOffset', 'int64', '0+'),
            field('committedLeaderEpoch', 'int32', '2+', {default: -1}),
            field('committedMetadata', 'string', '0+', {nullable: '0+'}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('TxnOffsetCommit'),
)

export interface TxnOffsetCommitResponse {
  throttleTimeMs?: number
  topics: Array<{name: string; partitions: Array<{partitionIndex: number; errorCode: number}>}>
}

export const TxnOffsetCommitResponseSchema = new MessageSchema<TxnOffsetCommitResponse>(
  'TxnOffsetCommitResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array('partitions', [field('partitionIndex', 'int32', '0+'), field('errorCode', 'int16', '0+')], '0+'),
      ],
      '0+',
    ),
  ],
  flexibleVersions('TxnOffsetCommit'),
)
