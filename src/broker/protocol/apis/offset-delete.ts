// OffsetDelete (key 47), from Kafka's OffsetDeleteRequest/Response.json, version 0 (not flexible).
// Deletes a group's committed offsets for some topic-partitions. A group-level error (unknown or
// non-empty group) comes with no topics; otherwise each partition has its own error code.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'
import {partitionErrorsFields, type PartitionErrors} from './offset-commit.js'

export interface OffsetDeleteRequest {
  groupId: string
  topics: Array<{name: string; partitions: Array<{partition: number}>}>
}

export const OffsetDeleteRequestSchema = new MessageSchema<OffsetDeleteRequest>(
  'OffsetDeleteRequest',
  [
    field('groupId', 'string', '0+'),
    array(
      'topics',
      [field('name', 'string', '0+'), array('partitions', [field('partition', 'int32', '0+')], '0+')],
      '0+',
    ),
  ],
  flexibleVersions('OffsetDelete'),
)

export interface OffsetDeleteResponse {
  errorCode: number
  topics: PartitionErrors
}

export const OffsetDeleteResponseSchema = new MessageSchema<OffsetDeleteResponse>(
  'OffsetDeleteResponse',
  [field('errorCode', 'int16', '0+'), field('throttleTimeMs', 'int32', '0+'), partitionErrorsFields],
  flexibleVersions('OffsetDelete'),
)
