// AddOffsetsToTxn (key 25), from Kafka's AddOffsetsToTxnRequest/Response.json, versions 0-3:
// flexible from 3; v2+ may answer PRODUCER_FENCED.
import {flexibleVersions} from '../api-keys.js'
import {field, MessageSchema} from '../schema.js'

export interface AddOffsetsToTxnRequest {
  transactionalId: string
  producerId: number
  producerEpoch: number
  groupId: string
}

export const AddOffsetsToTxnRequestSchema = new MessageSchema<AddOffsetsToTxnRequest>(
  'AddOffsetsToTxnRequest',
  [
    field('transactionalId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    field('groupId', 'string', '0+'),
  ],
  flexibleVersions('AddOffsetsToTxn'),
)

/** AddOffsetsToTxn's and EndTxn's response (v0-3): a throttle time and one error code. */
export interface TxnErrorResponse {
  throttleTimeMs?: number
  errorCode: number
}

export const AddOffsetsToTxnResponseSchema = new MessageSchema<TxnErrorResponse>(
  'AddOffsetsToTxnResponse',
  [field('throttleTimeMs', 'int32', '0+'), field('errorCode', 'int16', '0+')],
  flexibleVersions('AddOffsetsToTxn'),
)
