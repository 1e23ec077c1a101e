// Transaction markers (KIP-98): a control batch (attributes bits 4 and 5) holding one control
// record, written by the broker to every partition of a transaction when it ends.
//   key   => version int16 (0), type int16 (0 abort, 1 commit)
//   value => version int16 (0), coordinator_epoch int32
import {CONTROL_ATTRIBUTE, TRANSACTIONAL_ATTRIBUTE} from './record-batch.js'
import {buildRecordBatch} from './record-batch-builder.js'

export type MarkerType = 'abort' | 'commit'

export function buildControlBatch(
  type: MarkerType,
  producer: {producerId: number; producerEpoch: number},
  coordinatorEpoch = 0,
): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(type === 'commit' ? 1 : 0, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0)
  value.writeInt32BE(coordinatorEpoch, 2)
  return buildRecordBatch([{key, value}], {
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    baseSequence: -1,
    attributes: CONTROL_ATTRIBUTE | TRANSACTIONAL_ATTRIBUTE,
  })
}
