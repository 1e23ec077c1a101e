// The transaction APIs (KIP-98), answered by the transaction coordinator (this broker is every
// transactional id's): InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn.
import type {RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError, type KafkaErrorType} from '../protocol/errors.js'
import {InitProducerIdRequestSchema, InitProducerIdResponseSchema} from '../protocol/apis/init-producer-id.js'
import {
  AddPartitionsToTxnRequestSchema,
  AddPartitionsToTxnResponseSchema,
} from '../protocol/apis/add-partitions-to-txn.js'
import {AddOffsetsToTxnRequestSchema, AddOffsetsToTxnResponseSchema} from '../protocol/apis/add-offsets-to-txn.js'
import {TxnOffsetCommitRequestSchema, TxnOffsetCommitResponseSchema} from '../protocol/apis/txn-offset-commit.js'
import {EndTxnRequestSchema, EndTxnResponseSchema} from '../protocol/apis/end-txn.js'

/**
 * The code a client at this version expects: PRODUCER_FENCED exists from the version given
 * (KIP-588); older clients hear INVALID_PRODUCER_EPOCH.
 */
function codeFor(type: KafkaErrorType, version: number, fencedFrom: number): number {
  return errorCode(type === 'PRODUCER_FENCED' && version < fencedFrom ? 'INVALID_PRODUCER_EPOCH' : type)
}

/** Runs a coordinator call, turning the protocol error it throws into the answer's error code. */
async function answerCode(version: number, fencedFrom: number, call: () => unknown): Promise<number> {
  try {
    await call()
    return 0
  } catch (error) {
    if (error instanceof KafkaProtocolError) return codeFor(error.type, version, fencedFrom)
    throw error
  }
}

export async function handleInitProducerId({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = InitProducerIdRequestSchema.read(decoder, info.apiVersion)
  const result = await broker.transactions.initProducerId(request)
  if (request.transactionalId !== null)
    broker.logger.log('debug', 'transactional producer initialised', {
      transactionalId: request.transactionalId,
      producerId: result.producerId,
      producerEpoch: result.producerEpoch,
      error: result.error,
    })
  return InitProducerIdResponseSchema.encode(info.apiVersion, {
    errorCode: result.error ? codeFor(result.error, info.apiVersion, 4) : 0,
    producerId: result.producerId,
    producerEpoch: result.producerEpoch,
  })
}

export async function handleAddPartitionsToTxn({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = AddPartitionsToTxnRequestSchema.read(decoder, info.apiVersion)
  const wanted = request.topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({topic: topic.name, partition})),
  )
  const unknown = wanted.filter(({topic, partition}) => !broker.topics.partition(topic, partition))
  // As Kafka: one unknown partition fails the request, and the others are not attempted.
  const code =
    unknown.length > 0
      ? errorCode('OPERATION_NOT_ATTEMPTED')
      : await answerCode(info.apiVersion, 2, () =>
          broker.transactions.addPartitions(request.transactionalId, request.producerId, request.producerEpoch, wanted),
        )
  return AddPartitionsToTxnResponseSchema.encode(info.apiVersion, {
    results: request.topics.map((topic) => ({
      name: topic.name,
      results: topic.partitions.map((partition) => ({
        partitionIndex: partition,
        partitionErrorCode: unknown.some((gone) => gone.topic === topic.name && gone.partition === partition)
          ? errorCode('UNKNOWN_TOPIC_OR_PARTITION')
          : code,
      })),
    })),
  })
}

export async function handleAddOffsetsToTxn({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = AddOffsetsToTxnRequestSchema.read(decoder, info.apiVersion)
  const code =
    request.groupId === ''
      ? errorCode('INVALID_GROUP_ID')
      : await answerCode(info.apiVersion, 2, () =>
          broker.transactions.addOffsets(
            request.transactionalId,
            request.producerId,
            request.producerEpoch,
            request.groupId,
          ),
        )
  return AddOffsetsToTxnResponseSchema.encode(info.apiVersion, {errorCode: code})
}

export async function handleTxnOffsetCommit({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = TxnOffsetCommitRequestSchema.read(decoder, info.apiVersion)
  const exists = (topic: string, partition: number) => broker.topics.partition(topic, partition) !== undefined
  const offsets = request.topics.flatMap((topic) =>
    topic.partitions
      .filter((partition) => exists(topic.name, partition.partitionIndex))
      .map((partition) => ({
        group: request.groupId,
        topic: topic.name,
        partition: partition.partitionIndex,
        offset: partition.committedOffset,
        metadata: partition.committedMetadata,
      })),
  )
  const code = await answerCode(info.apiVersion, Number.POSITIVE_INFINITY, () =>
    broker.transactions.txnOffsetCommit(request.transactionalId, request.producerId, request.producerEpoch, offsets),
  )
  return TxnOffsetCommitResponseSchema.encode(info.apiVersion, {
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        errorCode: exists(topic.name, partition.partitionIndex) ? code : errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
      })),
    })),
  })
}

export async function handleEndTxn({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = EndTxnRequestSchema.read(decoder, info.apiVersion)
  const code = await answerCode(info.apiVersion, 2, () =>
    broker.transactions.endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed),
  )
  return EndTxnResponseSchema.encode(info.apiVersion, {errorCode: code})
}
