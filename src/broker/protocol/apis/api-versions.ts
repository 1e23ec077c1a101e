// ApiVersions (key 18), from Kafka's ApiVersionsRequest/Response.json. A client that opens with a
// version this broker does not speak (librdkafka sends v3, newer clients v4) gets
// UNSUPPORTED_VERSION with the supported list in the v0 body, which tells it to retry with a
// version from that list. The response always has header v0, flexible or not.
import {advertisedVersions, flexibleVersions, supportsVersion, type VersionRange} from '../api-keys.js'
import type {Encoder} from '../encoder.js'
import {errorCode} from '../errors.js'
import {array, field, MessageSchema} from '../schema.js'

export interface ApiVersionsRequest {
  clientSoftwareName: string
  clientSoftwareVersion: string
}

export const ApiVersionsRequestSchema = new MessageSchema<ApiVersionsRequest>(
  'ApiVersionsRequest',
  [field('clientSoftwareName', 'string', '3+'), field('clientSoftwareVersion', 'string', '3+')],
  flexibleVersions('ApiVersions'),
)

export interface ApiVersionsResponse {
  errorCode: number
  apiKeys: Array<{apiKey: number} & VersionRange>
  throttleTimeMs?: number
}

const nameRange = [
  field('name', 'string', '3+'),
  field('minVersion', 'int16', '3+'),
  field('maxVersion', 'int16', '3+'),
]

export const ApiVersionsResponseSchema = new MessageSchema<ApiVersionsResponse>(
  'ApiVersionsResponse',
  [
    field('errorCode', 'int16', '0+'),
    array(
      'apiKeys',
      [field('apiKey', 'int16', '0+'), field('minVersion', 'int16', '0+'), field('maxVersion', 'int16', '0+')],
      '0+',
    ),
    field('throttleTimeMs', 'int32', '1+'),
    array('supportedFeatures', nameRange, '3+', {tag: 0}),
    field('finalizedFeaturesEpoch', 'int64', '3+', {tag: 1, default: -1}),
    array(
      'finalizedFeatures',
      [field('name', 'string', '3+'), field('maxVersionLevel', 'int16', '3+'), field('minVersionLevel', 'int16', '3+')],
      '3+',
      {tag: 2},
    ),
    field('zkMigrationReady', 'bool', '3+', {tag: 3}),
  ],
  flexibleVersions('ApiVersions'),
)

/** What Kafka accepts as a client software name or version (KIP-511). */
const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

/**
 * The one ApiVersions answer, at any requested version: the APIs this broker speaks or, for a
 * version it does not speak, UNSUPPORTED_VERSION with that list in the v0 body (see above). A v3
 * request naming its client software with characters KIP-511 does not allow gets INVALID_REQUEST.
 */
export function apiVersionsAnswer(requestVersion: number, request?: ApiVersionsRequest): Encoder {
  const supported = supportsVersion('ApiVersions', requestVersion)
  const valid =
    request === undefined ||
    requestVersion < 3 ||
    (SOFTWARE.test(request.clientSoftwareName) && SOFTWARE.test(request.clientSoftwareVersion))
  return ApiVersionsResponseSchema.encode(supported ? requestVersion : 0, {
    errorCode: !supported ? errorCode('UNSUPPORTED_VERSION') : valid ? 0 : errorCode('INVALID_REQUEST'),
    apiKeys: advertisedVersions(),
  })
}
