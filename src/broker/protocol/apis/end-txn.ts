// EndTxn (key 26), from Kafka's EndTxnRequest/Response.json, versions 0-3: flexible from 3; v2+
// may answer PRODUCER_FENCED. (v5's epoch bump on every transaction, KIP-890, is not served.)
import {flexibleVersions} from '../api-keys.js'
import {field, MessageSchema} from '../schema.js'
import type {TxnErrorResponse} from './add-offsets-to-txn.js'

export interface EndTxnRequest {
  transactionalId: string
  producerId: number
  producerEpoch: number
  committed: boolean
}

export const EndTxnRequestSchema = new MessageSchema<EndTxnRequest>(
  'EndTxnRequest',
  [
    field('transactionalId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    field('committed', 'bool', '0+'),
  ],
  flexibleVersions('EndTxn'),
)

export const EndTxnResponseSchema = new MessageSchema<TxnErrorResponse>(
  'EndTxnResponse',
  [field('throttleTimeMs', 'int32', '0+'), field('errorCode', 'int16', '0+')],
  flexibleVersions('EndTxn'),
)
