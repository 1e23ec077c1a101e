// InitProducerId Request (Version: 0-1) => transactional_id NULLABLE_STRING transaction_timeout_ms INT32
//
// InitProducerId Response (Version: 0-1) => throttle_time_ms INT32 error_code INT16 producer_id INT64 producer_epoch INT16
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export function decodeInitProducerIdRequest(decoder: Decoder): {
  transactionalId: string | null
  transactionTimeoutMs: number
} {
  return {transactionalId: decoder.readNullableString(), transactionTimeoutMs: decoder.readInt32()}
}

export function encodeInitProducerIdResponse(
  encoder: Encoder,
  _version: number,
  response: {errorCode: number; producerId: number; producerEpoch: number},
): void {
  encoder
    .writeInt32(0)
    .writeInt16(response.errorCode)
    .writeInt64(response.producerId)
    .writeInt16(response.producerEpoch)
}
