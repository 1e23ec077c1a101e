// CreateTopics (key 19), versions 0-7, flexible from 5; from Kafka's CreateTopicsRequest/Response.json.
// v1 adds validate_only and error messages, v2 throttle_time_ms, v5 the created topic's partitions,
// replication factor and configs in the response, v7 its topic id.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface ConfigEntry {
  name: string
  value: string | null
}

export interface CreatableTopic {
  name: string
  numPartitions: number
  replicationFactor: number
  assignments: Array<{partitionIndex: number; brokerIds: number[]}>
  configs: ConfigEntry[]
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[]
  timeoutMs: number
  validateOnly: boolean
}

export const CreateTopicsRequestSchema = new MessageSchema<CreateTopicsRequest>(
  'CreateTopicsRequest',
  [
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        field('numPartitions', 'int32', '0+'),
        field('replicationFactor', 'int16', '0+'),
        array('assignments', [field('partitionIndex', 'int32', '0+'), array('brokerIds', 'int32', '0+')], '0+'),
        array('configs', [field('name', 'string', '0+'), field('value', 'string', '0+', {nullable: '0+'})], '0+'),
      ],
      '0+',
    ),
    field('timeoutMs', 'int32', '0+', {default: 60000}),
    field('validateOnly', 'bool', '1+'),
  ],
  flexibleVersions('CreateTopics'),
)

/** One config of a created topic as the v5+ response lists it. */
export interface CreatedTopicConfig {
  name: string
  value: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
}

export interface CreatableTopicResult {
  name: string
  topicId?: string
  errorCode: number
  errorMessage: string | null
  numPartitions?: number
  replicationFactor?: number
  configs?: CreatedTopicConfig[] | null
}

export interface CreateTopicsResponse {
  throttleTimeMs?: number
  topics: CreatableTopicResult[]
}

export const CreateTopicsResponseSchema = new MessageSchema<CreateTopicsResponse>(
  'CreateTopicsResponse',
  [
    field('throttleTimeMs', 'int32', '2+'),
    array(
      'topics',
      [
        field('name', 'string', '0+'),
        field('topicId', 'uuid', '7+'),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '1+', {nullable: '0+', default: null}),
        field('topicConfigErrorCode', 'int16', '5+', {tag: 0}),
        field('numPartitions', 'int32', '5+', {default: -1}),
        field('replicationFactor', 'int16', '5+', {default: -1}),
        array(
          'configs',
          [
            field('name', 'string', '5+'),
            field('value', 'string', '5+', {nullable: '5+'}),
            field('readOnly', 'bool', '5+'),
            field('configSource', 'int8', '5+', {default: -1}),
            field('isSensitive', 'bool', '5+'),
          ],
          '5+',
          {nullable: '5+'},
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('CreateTopics'),
)
