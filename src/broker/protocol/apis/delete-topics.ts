// DeleteTopics (key 20), versions 0-6, transcribed from Kafka's DeleteTopicsRequest/Response.json
// (flexible from v4). Up to v5 a request lists topic names; v6 lists topics by name or by id (a
// null name), and the response names both.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface DeleteTopicsRequest {
  /** v6+. */
  topics: Array<{name: string | null; topicId: string}>
  /** v0-5. */
  topicNames: string[]
  timeoutMs: number
}

export const DeleteTopicsRequestSchema = new MessageSchema<DeleteTopicsRequest>(
  'DeleteTopicsRequest',
  [
    array(
      'topics',
      [field('name', 'string', '6+', {nullable: '6+', default: null}), field('topicId', 'uuid', '6+')],
      '6+',
    ),
    array('topicNames', 'string', '0-5'),
    field('timeoutMs', 'int32', '0+'),
  ],
  flexibleVersions('DeleteTopics'),
)

export interface DeletableTopicResult {
  name: string | null
  topicId: string
  errorCode: number
  errorMessage: string | null
}

export interface DeleteTopicsResponse {
  throttleTimeMs?: number
  responses: DeletableTopicResult[]
}

export const DeleteTopicsResponseSchema = new MessageSchema<DeleteTopicsResponse>(
  'DeleteTopicsResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    array(
      'responses',
      [
        field('name', 'string', '0+', {nullable: '6+'}),
        field('topicId', 'uuid', '6+'),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '5+', {nullable: '5+', default: null}),
      ],
      '0+',
    ),
  ],
  flexibleVersions('DeleteTopics'),
)
