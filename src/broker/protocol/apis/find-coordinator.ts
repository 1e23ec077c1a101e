// FindCoordinator Request (Version: 0) => key STRING
// FindCoordinator Request (Version: 1-2) => key STRING key_type INT8 (0 group, 1 transaction)
//
// FindCoordinator Response (Version: 0) => error_code INT16 node_id INT32 host STRING port INT32
// FindCoordinator Response (Version: 1-2) => throttle_time_ms INT32 error_code INT16 error_message NULLABLE_STRING node_id INT32 host STRING port INT32
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'
import type {BrokerNode} from './metadata.js'

export interface FindCoordinatorRequest {
  key: string
  keyType: number
}

export function decodeFindCoordinatorRequest(decoder: Decoder, version: number): FindCoordinatorRequest {
  const key = decoder.readString()
  return {key, keyType: version >= 1 ? decoder.readInt8() : 0}
}

export function encodeFindCoordinatorResponse(
  encoder: Encoder,
  version: number,
  response: {errorCode: number; node: BrokerNode},
): void {
  if (version >= 1) encoder.writeInt32(0)
  encoder.writeInt16(response.errorCode)
  if (version >= 1) encoder.writeNullableString(null)
  encoder.writeInt32(response.node.nodeId).writeString(response.node.host).writeInt32(response.node.port)
}
