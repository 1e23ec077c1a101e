// Idempotent-producer de-duplication for one partition: per producer id, the epoch and the last
// few batches' sequence ranges with the offsets they were given. A retried batch is recognised and
// answered with its original offset instead of being appended twice.
import {KafkaProtocolError} from '../protocol/errors.js'
import {isControl, type BatchHeader} from '../protocol/record-batch.js'

const REMEMBERED_BATCHES = 5

interface SequencedBatch {
  firstSequence: number
  lastSequence: number
  baseOffset: number
}

interface ProducerEntry {
  epoch: number
  batches: SequencedBatch[]
}

export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>()

  /** The offset a duplicate was stored at, or undefined for a new batch; throws on a sequence gap. */
  check(header: BatchHeader): number | undefined {
    if (header.producerId < 0) return undefined
    const entry = this.producers.get(header.producerId)
    if (!entry) return undefined
    if (header.producerEpoch < entry.epoch) throw new KafkaProtocolError('INVALID_PRODUCER_EPOCH')
    if (header.producerEpoch > entry.epoch) return undefined
    const lastSequence = header.baseSequence + header.lastOffsetDelta
    const duplicate = entry.batches.find(
      (batch) => batch.firstSequence === header.baseSequence && batch.lastSequence === lastSequence,
    )
    if (duplicate) return duplicate.baseOffset
    const latest = entry.batches[entry.batches.length - 1]
    if (latest && header.baseSequence !== latest.lastSequence + 1 && header.baseSequence !== 0)
      throw new KafkaProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER')
    return undefined
  }

  record(header: BatchHeader): void {
    // A transaction marker carries the producer's id but no sequence: the next batch continues the sequence.
    if (header.producerId < 0 || isControl(header.attributes)) return
    let entry = this.producers.get(header.producerId)
    if (!entry || header.producerEpoch > entry.epoch) {
      entry = {epoch: header.producerEpoch, batches: []}
      this.producers.set(header.producerId, entry)
    }
    entry.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: header.baseSequence + header.lastOffsetDelta,
      baseOffset: header.baseOffset,
    })
    if (entry.batches.length > REMEMBERED_BATCHES) entry.batches.shift()
  }
}
