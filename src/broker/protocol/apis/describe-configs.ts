// DescribeConfigs Request (Version: 0) => [resources]
// DescribeConfigs Request (Version: 1-2) => [resources] include_synonyms BOOLEAN
//   resources => resource_type INT8 (2 topic, 4 broker) resource_name STRING [configuration_keys STRING](nullable: all)
//
// DescribeConfigs Response (Version: 0-2) => throttle_time_ms INT32 [results]
//   results => error_code INT16 error_message NULLABLE_STRING resource_type INT8 resource_name STRING [configs]
//     configs (v0) => name STRING value NULLABLE_STRING read_only BOOLEAN is_default BOOLEAN is_sensitive BOOLEAN
//     configs (v1-2) => name value read_only config_source INT8 is_sensitive [synonyms]
//       synonyms => name STRING value NULLABLE_STRING source INT8
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export const ResourceType = {topic: 2, broker: 4} as const

/** config_source values (v1+). */
export const ConfigSource = {topic: 1, staticBroker: 4, default: 5} as const

export interface DescribeConfigsRequest {
  resources: Array<{resourceType: number; resourceName: string; keys: string[] | null}>
}

export function decodeDescribeConfigsRequest(decoder: Decoder, version: number): DescribeConfigsRequest {
  const resources = decoder.readArray((resource) => ({
    resourceType: resource.readInt8(),
    resourceName: resource.readString(),
    keys: resource.readNullableArray((key) => key.readString()),
  }))
  if (version >= 1) decoder.readBoolean()
  return {resources}
}

export interface DescribedConfig {
  name: string
  value: string | null
  readOnly: boolean
  isDefault: boolean
}

export interface DescribedResource {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
  configs: DescribedConfig[]
}

export function encodeDescribeConfigsResponse(encoder: Encoder, version: number, results: DescribedResource[]): void {
  encoder.writeInt32(0).writeArray(results, (out, result) => {
    out
      .writeInt16(result.errorCode)
      .writeNullableString(result.errorMessage)
      .writeInt8(result.resourceType)
      .writeString(result.resourceName)
    out.writeArray(result.configs, (inner, config) => {
      inner.writeString(config.name).writeNullableString(config.value).writeBoolean(config.readOnly)
      if (version === 0) inner.writeBoolean(config.isDefault)
      else
        inner.writeInt8(
          config.isDefault
            ? ConfigSource.default
            : result.resourceType === ResourceType.topic
              ? ConfigSource.topic
              : ConfigSource.staticBroker,
        )
      inner.writeBoolean(false)
      if (version >= 1) inner.writeArray([], () => undefined)
    })
  })
}
