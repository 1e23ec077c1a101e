// Fetch: whole batches from each requested offset, and a long poll — when fewer than min_bytes are
// ready, wait until an append to one of the partitions or max_wait_ms, whichever comes first.
// read_committed (isolation level 1) stops below the last stable offset and lists the aborted
// transactions in the returned range, so the consumer can drop their batches (KIP-98).
import type {BrokerContext, RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {batchesBelow} from '../protocol/record-batch.js'
import {
  FetchRequestSchema,
  FetchResponseSchema,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
} from '../protocol/apis/fetch.js'
import {ZERO_UUID} from '../protocol/schema.js'
import {READ_COMMITTED} from '../txn/partition-transactions.js'

export async function handleFetch({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = FetchRequestSchema.read(decoder, info.apiVersion)
  // From v13 topics come by id: an id the broker does not know names no topic (UNKNOWN_TOPIC_ID).
  if (info.apiVersion >= 13) for (const topic of request.topics) topic.topic = broker.topics.nameOf(topic.topicId) ?? ''
  let response = readAll(request, broker)
  if (response.bytes < Math.max(1, request.minBytes) && request.maxWaitMs > 0 && !response.hasError) {
    await waitForAppend(request, broker)
    response = readAll(request, broker)
  }
  return FetchResponseSchema.encode(info.apiVersion, response)
}

function readAll(request: FetchRequest, broker: BrokerContext): FetchResponse & {bytes: number; hasError: boolean} {
  let remaining = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER
  let bytes = 0
  let hasError = false
  const topics = request.topics.map((topic) => ({
    topic: topic.topic,
    topicId: topic.topicId,
    partitions: topic.partitions.map((wanted) => {
      const partition = topic.topic === '' ? undefined : broker.topics.partition(topic.topic, wanted.partition)
      if (!partition) {
        hasError = true
        return {
          partition: wanted.partition,
          errorCode: errorCode(
            topic.topic === '' && topic.topicId !== ZERO_UUID ? 'UNKNOWN_TOPIC_ID' : 'UNKNOWN_TOPIC_OR_PARTITION',
          ),
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          records: [],
        }
      }
      const {log} = partition
      const lastStableOffset = broker.transactions.lastStableOffset(topic.topic, wanted.partition, log.highWatermark)
      const committedOnly = request.isolationLevel === READ_COMMITTED
      const base = {
        partition: wanted.partition,
        highWatermark: log.highWatermark,
        lastStableOffset,
        logStartOffset: log.logStartOffset,
        abortedTransactions: (committedOnly ? [] : null) as FetchPartitionResponse['abortedTransactions'],
      }
      try {
        // Once the response holds data, max_bytes caps it; the first batch goes out whatever its size.
        const limit = Math.min(wanted.partitionMaxBytes, remaining)
        if (limit <= 0 && bytes > 0) return {...base, errorCode: 0, records: []}
        let read = log.read(wanted.fetchOffset, Math.max(1, limit), bytes === 0)
        if (committedOnly) {
          read = batchesBelow(read.records, lastStableOffset)
          const aborted = broker.transactions.abortedTransactions(
            topic.topic,
            wanted.partition,
            wanted.fetchOffset,
            lastStableOffset,
          )
          if (read.bytes > 0) base.abortedTransactions = aborted
        }
        bytes += read.bytes
        remaining -= read.bytes
        return {...base, errorCode: 0, records: read.records}
      } catch (error) {
        if (!(error instanceof KafkaProtocolError)) throw error
        hasError = true
        return {...base, errorCode: error.code, records: []}
      }
    }),
  }))
  return {topics, bytes, hasError}
}

function waitForAppend(request: FetchRequest, broker: BrokerContext): Promise<void> {
  return new Promise((resolve) => {
    const stops: Array<() => void> = []
    const done = () => {
      clearTimeout(timer)
      for (const stop of stops) stop()
      resolve()
    }
    const timer = setTimeout(done, request.maxWaitMs)
    void broker.closing.then(done)
    for (const topic of request.topics) {
      for (const wanted of topic.partitions) {
        const partition = broker.topics.partition(topic.topic, wanted.partition)
        if (partition) stops.push(partition.log.onAppend(done))
      }
    }
  })
}
