// DeleteRecords (key 21), versions 0-2, flexible from 2; from Kafka's DeleteRecordsRequest/Response.json.
// Moves each partition's log start offset (its low watermark) up to `offset`; -1 means the high
// watermark. The response gives the low watermark each partition has afterwards.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface DeleteRecordsRequest {
  topics: Array<{name: string; partitions: Array<{partitionIndex: number; offset: number}>}>
  timeoutMs: number
}

export const DeleteRecordsRequestSchema = new MessageSchema<DeleteRecordsRequest>(
  'DeleteRecordsRequest',
  [
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array('partitions', [field('partitionIndex', 'int32', '0+'), field('offset', 'int64', '0+')], '0+'),
      ],
      '0+',
    ),
    field('timeoutMs', 'int32', '0+'),
  ],
  flexibleVersions('DeleteRecords'),
)

export interface DeleteRecordsResponse {
  throttleTimeMs: number
  topics: Array<{name: string; partitions: Array<{partitionIndex: number; lowWatermark: number; errorCode: number}>}>
}

export const DeleteRecordsResponseSchema = new MessageSchema<DeleteRecordsResponse>(
  'DeleteRecordsResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        array(
          'partitions',
          [
            field('partitionIndex', 'int32', '0+'),
            field('lowWatermark', 'int64', '0+'),
            field('errorCode', 'int16', '0+'),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('DeleteRecords'),
)
