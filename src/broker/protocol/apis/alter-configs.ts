// AlterConfigs Request (Version: 0-1) => [resources] validate_only BOOLEAN
//   resources => resource_type INT8 resource_name STRING [configs]
//     configs => name STRING value NULLABLE_STRING
//   (not incremental: the given set replaces every config the resource had)
//
// AlterConfigs Response (Version: 0-1) => throttle_time_ms INT32 [responses]
//   responses => error_code INT16 error_message NULLABLE_STRING resource_type INT8 resource_name STRING
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface AlterConfigsRequest {
  resources: Array<{resourceType: number; resourceName: string; configs: Record<string, string>}>
  validateOnly: boolean
}

export function decodeAlterConfigsRequest(decoder: Decoder): AlterConfigsRequest {
  const resources = decoder.readArray((resource) => ({
    resourceType: resource.readInt8(),
    resourceName: resource.readString(),
    configs: Object.fromEntries(
      resource
        .readArray((config) => [config.readString(), config.readNullableString()] as const)
        .filter((entry): entry is readonly [string, string] => entry[1] !== null),
    ),
  }))
  return {resources, validateOnly: decoder.readBoolean()}
}

export interface AlterConfigsResult {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
}

export function encodeAlterConfigsResponse(encoder: Encoder, _version: number, results: AlterConfigsResult[]): void {
  encoder
    .writeInt32(0)
    .writeArray(results, (out, result) =>
      out
        .writeInt16(result.errorCode)
        .writeNullableString(result.errorMessage)
        .writeInt8(result.resourceType)
        .writeString(result.resourceName),
    )
}
