// AddPartitionsToTxn (key 24), from Kafka's AddPartitionsToTxnRequest/Response.json, versions 0-3
// (the client versions; 4+ batch several transactions for broker-to-broker verification): flexible
// from 3; v2+ may answer PRODUCER_FENCED.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface AddPartitionsToTxnRequest {
  transactionalId: string
  producerId: number
  producerEpoch: number
  topics: Array<{name: string; partitions: number[]}>
}

export const AddPartitionsToTxnRequestSchema = new MessageSchema<AddPartitionsToTxnRequest>(
  'AddPartitionsToTxnRequest',
  [
    field('transactionalId', 'string', '0+'),
    field('producerId', 'int64', '0+'),
    field('producerEpoch', 'int16', '0+'),
    array('topics', [field('name', 'string', '0+'), array('partitions', 'int32', '0+')], '0+'),
  ],
  flexibleVersions('AddPartitionsToTxn'),
)

export interface AddPartitionsToTxnResponse {
  throttleTimeMs?: number
  results: Array<{name: string; results: Array<{partitionIndex: number; partitionErrorCode: number}>}>
}

export const AddPartitionsToTxnResponseSchema = new MessageSchema<AddPartitionsToTxnResponse>(
  'AddPartitionsToTxnResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    array(
      'results',
      [
        field('name', 'string', '0+'),
        array('results', [field('partitionIndex', 'int32', '0+'), field('partitionErrorCode', 'int16', '0+')], '0+'),
      ],
      '0+',
    ),
  ],
  flexibleVersions('AddPartitionsToTxn'),
)
