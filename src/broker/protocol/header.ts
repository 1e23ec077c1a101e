// Request header v1 (and v2, flexible), and response header v0:
//
// Request Header v1 => request_api_key request_api_version correlation_id client_id
//   request_api_key => INT16
//   request_api_version => INT16
//   correlation_id => INT32
//   client_id => NULLABLE_STRING
// Request Header v2 => (v1 fields) TAG_BUFFER
// Response Header v0 => correlation_id INT32
// Response Header v1 => correlation_id TAG_BUFFER   (flexible versions, except ApiVersions' response)
import {Decoder} from './decoder.js'

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/** Reads the header v1 fields; the caller skips a v2 header's tagged fields once it knows the API is flexible. */
export function decodeRequestHeader(decoder: Decoder): RequestHeader {
  const apiKey = decoder.readInt16()
  const apiVersion = decoder.readInt16()
  const correlationId = decoder.readInt32()
  const clientId = decoder.readNullableString()
  return {apiKey, apiVersion, correlationId, clientId}
}

/** The correlation id alone, for answering a frame whose header is otherwise unusable. */
export function peekCorrelationId(frame: Buffer): number | undefined {
  return frame.length >= 8 ? frame.readInt32BE(4) : undefined
}
