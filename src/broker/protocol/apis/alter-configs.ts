// AlterConfigs (key 33), versions 0-2, flexible from 2, and IncrementalAlterConfigs (key 44),
// versions 0-1, flexible from 1; from Kafka's AlterConfigs* and IncrementalAlterConfigs*.json.
// AlterConfigs replaces every override a resource has with the given set; IncrementalAlterConfigs
// applies one operation per key (SET, DELETE back to the default, APPEND to or SUBTRACT from a
// list). Both answer with one result per resource.
import {flexibleVersions, type ApiName} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface AlterConfigsRequest {
  resources: Array<{
    resourceType: number
    resourceName: string
    configs: Array<{name: string; value: string | null}>
  }>
  validateOnly: boolean
}

export const AlterConfigsRequestSchema = new MessageSchema<AlterConfigsRequest>(
  'AlterConfigsRequest',
  [
    array(
      'resources',
      [
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        array('configs', [field('name', 'string', '0+'), field('value', 'string', '0+', {nullable: '0+'})], '0+'),
      ],
      '0+',
    ),
    field('validateOnly', 'bool', '0+'),
  ],
  flexibleVersions('AlterConfigs'),
)

/** IncrementalAlterConfigs `config_operation`. */
export const ConfigOperation = {set: 0, delete: 1, append: 2, subtract: 3} as const

export interface IncrementalAlterConfigsRequest {
  resources: Array<{
    resourceType: number
    resourceName: string
    configs: Array<{name: string; configOperation: number; value: string | null}>
  }>
  validateOnly: boolean
}

export const IncrementalAlterConfigsRequestSchema = new MessageSchema<IncrementalAlterConfigsRequest>(
  'IncrementalAlterConfigsRequest',
  [
    array(
      'resources',
      [
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        array(
          'configs',
          [
            field('name', 'string', '0+'),
            field('configOperation', 'int8', '0+'),
            field('value', 'string', '0+', {nullable: '0+'}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
    field('validateOnly', 'bool', '0+'),
  ],
  flexibleVersions('IncrementalAlterConfigs'),
)

export interface AlterConfigsResult {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
}

export interface AlterConfigsResponse {
  throttleTimeMs: number
  responses: AlterConfigsResult[]
}

/** The response both APIs share, at `api`'s flexible versions. */
const alterConfigsResponse = (name: string, api: ApiName) =>
  new MessageSchema<AlterConfigsResponse>(
    name,
    [
      field('throttleTimeMs', 'int32', '0+'),
      array(
        'responses',
        [
          field('errorCode', 'int16', '0+'),
          field('errorMessage', 'string', '0+', {nullable: '0+'}),
          field('resourceType', 'int8', '0+'),
          field('resourceName', 'string', '0+'),
        ],
        '0+',
      ),
    ],
    flexibleVersions(api),
  )

export const AlterConfigsResponseSchema = alterConfigsResponse('AlterConfigsResponse', 'AlterConfigs')
export const IncrementalAlterConfigsResponseSchema = alterConfigsResponse(
  'IncrementalAlterConfigsResponse',
  'IncrementalAlterConfigs',
)
