// Produce: validate each partition's batches (magic 2, CRC-32C), check transactional ones against
// their producer's transaction, de-duplicate idempotent retries, append with offsets assigned, and
// acknowledge as `acks` and the fsync policy require.
import type {BrokerContext, RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {ProduceRequestSchema, ProduceResponseSchema, type ProducePartitionResponse} from '../protocol/apis/produce.js'
import {validateBatches} from '../protocol/record-batch.js'
import type {Partition} from '../log/topic-store.js'

const PROBLEM_ERRORS = {
  truncated: 'CORRUPT_MESSAGE',
  size: 'CORRUPT_MESSAGE',
  crc: 'CORRUPT_MESSAGE',
  magic: 'UNSUPPORTED_FOR_MESSAGE_FORMAT',
} as const

export async function handleProduce({decoder, info, broker}: RequestContext): Promise<Encoder | undefined> {
  const request = ProduceRequestSchema.read(decoder, info.apiVersion)
  const durable: Array<Promise<void>> = []
  const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((data): ProducePartitionResponse => {
      const partition = broker.topics.partition(topic.name, data.partition)
      const answer = (code: number, baseOffset = -1) => ({
        partition: data.partition,
        errorCode: code,
        baseOffset,
        logAppendTimeMs: -1,
        logStartOffset: partition?.log.logStartOffset ?? -1,
      })
      if (!validAcks) return answer(errorCode('INVALID_REQUIRED_ACKS'))
      if (!partition) return answer(errorCode('UNKNOWN_TOPIC_OR_PARTITION'))
      try {
        const baseOffset = appendRecords(partition, data.records, request.transactionalId, broker, durable)
        return answer(0, baseOffset)
      } catch (error) {
        if (error instanceof KafkaProtocolError) {
          broker.logger.log('warn', 'produce rejected', {
            topic: topic.name,
            partition: data.partition,
            error: error.type,
            detail: error.message,
          })
          return answer(error.code)
        }
        throw error
      }
    }),
  }))
  if (request.acks === 0) return undefined
  await Promise.all(durable)
  return ProduceResponseSchema.encode(info.apiVersion, {topics})
}

function appendRecords(
  partition: Partition,
  records: Buffer | null,
  transactionalId: string | null,
  broker: BrokerContext,
  durable: Array<Promise<void>>,
): number {
  if (!records || records.length === 0) throw new KafkaProtocolError('CORRUPT_MESSAGE', 'empty record set')
  const validated = validateBatches(records)
  if ('problem' in validated)
    throw new KafkaProtocolError(
      PROBLEM_ERRORS[validated.problem],
      `record batch failed validation: ${validated.problem}`,
    )
  for (const batch of validated.batches)
    broker.transactions.checkProduce(transactionalId, partition.topic, partition.index, batch.header)
  const first = validated.batches[0]!.header
  if (validated.batches.length === 1) {
    const duplicateOffset = partition.producers.check(first)
    if (duplicateOffset !== undefined) return duplicateOffset
  }
  const {baseOffset, segment} = partition.log.append(records, validated.batches)
  for (const batch of validated.batches) {
    partition.producers.record(batch.header)
    broker.transactions.appended(partition.topic, partition.index, batch.header)
  }
  const flushed = broker.flush.afterAppend(segment)
  if (flushed) durable.push(flushed)
  return baseOffset
}
