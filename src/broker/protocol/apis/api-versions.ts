// ApiVersions Request (Version: 0-2) => (empty)
// ApiVersions Request (Version: 3, flexible) => client_software_name COMPACT_STRING client_software_version COMPACT_STRING TAG_BUFFER
//   (librdkafka sends v3 first; we answer with error 35 and the supported list in the v0 body,
//   which tells it to retry with a version we advertise)
//
// ApiVersions Response (Version: 0) => error_code [api_keys]
//   api_keys => api_key INT16 min_version INT16 max_version INT16
// ApiVersions Response (Version: 1-2) => error_code [api_keys] throttle_time_ms INT32
import {encodeResponse, type Encoder} from '../encoder.js'
import {advertisedVersions, supportsVersion, type VersionRange} from '../api-keys.js'
import {errorCode} from '../errors.js'

export interface ApiVersionsResponse {
  errorCode: number
  apiKeys: Array<{apiKey: number} & VersionRange>
}

export function encodeApiVersionsResponse(encoder: Encoder, version: number, response: ApiVersionsResponse): void {
  encoder
    .writeInt16(response.errorCode)
    .writeArray(response.apiKeys, (out, api) =>
      out.writeInt16(api.apiKey).writeInt16(api.minVersion).writeInt16(api.maxVersion),
    )
  if (version >= 1 && version <= 2) encoder.writeInt32(0)
}

/**
 * The one ApiVersions answer, at any requested version: the APIs this broker speaks or, for a
 * version it does not speak, UNSUPPORTED_VERSION with that list in the v0 body (see above).
 */
export function apiVersionsAnswer(requestVersion: number): Encoder {
  const supported = supportsVersion('ApiVersions', requestVersion)
  return encodeResponse(encodeApiVersionsResponse, supported ? requestVersion : 0, {
    errorCode: supported ? 0 : errorCode('UNSUPPORTED_VERSION'),
    apiKeys: advertisedVersions(),
  })
}
