// DescribeConfigs (key 32), versions 0-4, flexible from 4; from Kafka's
// DescribeConfigsRequest/Response.json. v0 says is_default; v1+ says config_source instead and,
// when include_synonyms is set, lists where a value could come from, most specific first; v3+
// adds config_type and, on request, documentation.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export const ResourceType = {topic: 2, broker: 4} as const

/** config_source (and synonym source) values, as Kafka numbers them. */
export const ConfigSource = {topic: 1, staticBroker: 4, default: 5} as const

export interface DescribeConfigsResource {
  resourceType: number
  resourceName: string
  configurationKeys: string[] | null
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[]
  includeSynonyms: boolean
  includeDocumentation: boolean
}

export const DescribeConfigsRequestSchema = new MessageSchema<DescribeConfigsRequest>(
  'DescribeConfigsRequest',
  [
    array(
      'resources',
      [
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        array('configurationKeys', 'string', '0+', {nullable: '0+'}),
      ],
      '0+',
    ),
    field('includeSynonyms', 'bool', '1+'),
    field('includeDocumentation', 'bool', '3+'),
  ],
  flexibleVersions('DescribeConfigs'),
)

export interface ConfigSynonym {
  name: string
  value: string | null
  source: number
}

export interface DescribedConfig {
  name: string
  value: string | null
  readOnly: boolean
  isDefault: boolean
  configSource: number
  isSensitive: boolean
  synonyms: ConfigSynonym[]
  configType: number
  documentation: string | null
}

export interface DescribedResource {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
  configs: DescribedConfig[]
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number
  results: DescribedResource[]
}

export const DescribeConfigsResponseSchema = new MessageSchema<DescribeConfigsResponse>(
  'DescribeConfigsResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    array(
      'results',
      [
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', {nullable: '0+'}),
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        array(
          'configs',
          [
            field('name', 'string', '0+'),
            field('value', 'string', '0+', {nullable: '0+'}),
            field('readOnly', 'bool', '0+'),
            field('isDefault', 'bool', '0'),
            field('configSource', 'int8', '1+', {default: -1}),
            field('isSensitive', 'bool', '0+'),
            array(
              'synonyms',
              [
                field('name', 'string', '1+'),
                field('value', 'string', '1+', {nullable: '0+'}),
                field('source', 'int8', '1+'),
              ],
              '1+',
            ),
            field('configType', 'int8', '3+'),
            field('documentation', 'string', '3+', {nullable: '0+', default: null}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
  ],
  flexibleVersions('DescribeConfigs'),
)
