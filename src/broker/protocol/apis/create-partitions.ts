// CreatePartitions (key 37), versions 0-3, flexible from 2; from Kafka's
// CreatePartitionsRequest/Response.json. `assignments` (null: the broker places the new partitions)
// lists the brokers of each new partition.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface CreatePartitionsTopic {
  name: string
  count: number
  assignments: Array<{brokerIds: number[]}> | null
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[]
  timeoutMs: number
  validateOnly: boolean
}

export const CreatePartitionsRequestSchema = new MessageSchema<CreatePartitionsRequest>(
  'CreatePartitionsRequest',
  [
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        field('count', 'int32', '0+'),
        array('assignments', [array('brokerIds', 'int32', '0+')], '0+', {nullable: '0+'}),
      ],
      '0+',
    ),
    field('timeoutMs', 'int32', '0+'),
    field('validateOnly', 'bool', '0+'),
  ],
  flexibleVersions('CreatePartitions'),
)

export interface CreatePartitionsResponse {
  throttleTimeMs: number
  results: Array<{name: string; errorCode: number; errorMessage: string | null}>
}

export const CreatePartitionsResponseSchema = new MessageSchema<CreatePartitionsResponse>(
  'CreatePartitionsResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    array(
      'results',
      [
        field('name', 'string', '0+'),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', {nullable: '0+', default: null}),
      ],
      '0+',
    ),
  ],
  flexibleVersions('CreatePartitions'),
)
