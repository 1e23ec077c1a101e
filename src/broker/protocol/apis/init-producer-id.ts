// InitProducerId (key 22), from Kafka's InitProducerIdRequest/Response.json, versions 0-4: flexible
// from 2; v3 adds the producer id and epoch a producer already holds (so it can bump its epoch
// after an error, KIP-360); v4 answers PRODUCER_FENCED where older versions get
// INVALID_PRODUCER_EPOCH (KIP-588).
import {flexibleVersions} from '../api-keys.js'
import {field, MessageSchema} from '../schema.js'

export interface InitProducerIdRequest {
  transactionalId: string | null
  transactionTimeoutMs: number
  /** -1 unless a v3+ producer is resuming with the id and epoch it holds. */
  producerId: number
  producerEpoch: number
}

export const InitProducerIdRequestSchema = new MessageSchema<InitProducerIdRequest>(
  'InitProducerIdRequest',
  [
    field('transactionalId', 'string', '0+', {nullable: '0+'}),
    field('transactionTimeoutMs', 'int32', '0+'),
    field('producerId', 'int64', '3+', {default: -1}),
    field('producerEpoch', 'int16', '3+', {default: -1}),
  ],
  flexibleVersions('InitProducerId'),
)

export interface InitProducerIdResponse {
  throttleTimeMs?: number
  errorCode: number
  producerId: number
  producerEpoch: number
}

export const InitProducerIdResponseSchema = new MessageSchema<InitProducerIdResponse>(
  'InitProducerIdResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('errorCode', 'int16', '0+'),
    field('producerId', 'int64', '0+', {default: -1}),
    field('producerEpoch', 'int16', '0+'),
  ],
  flexibleVersions('InitProducerId'),
)
