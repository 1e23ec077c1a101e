// The transaction coordinator's state machine and the read_committed bookkeeping of a partition
// (last stable offset, aborted-transaction index), as pure logic: markers are recorded in memory.
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {MarkerType} from '../../src/broker/protocol/control-batch.js'
import {KafkaProtocolError} from '../../src/broker/protocol/errors.js'
import {buildRecordBatch} from '../../src/broker/protocol/record-batch-builder.js'
import {batchesBelow, readBatchHeader, TRANSACTIONAL_ATTRIBUTE} from '../../src/broker/protocol/record-batch.js'
import {TransactionCoordinator} from '../../src/broker/txn/coordinator.js'
import {PartitionTransactions} from '../../src/broker/txn/partition-transactions.js'
import {TransactionStore} from '../../src/broker/txn/transaction-store.js'

describe('partition transactions', () => {
  it('holds the last stable offset at the first batch of the earliest open transaction', () => {
    const partition = new PartitionTransactions()
    expect(partition.lastStableOffset(10)).toBe(10)
    partition.begin(7)
    expect(partition.lastStableOffset(10)).toBe(10) // added, nothing written yet
    partition.appended(7, 12)
    partition.appended(7, 15)
    partition.begin(8)
    partition.appended(8, 14)
    expect(partition.lastStableOffset(20)).toBe(12)
    partition.end(7, 'commit', 20)
    expect(partition.lastStableOffset(21)).toBe(14)
    partition.end(8, 'abort', 21)
    expect(partition.lastStableOffset(22)).toBe(22)
  })

  it('indexes aborted transactions that wrote data and lists those overlapping a fetched range', () => {
    const partition = new PartitionTransactions()
    partition.begin(1)
    partition.appended(1, 0)
    expect(partition.end(1, 'abort', 3)).toEqual({producerId: 1, firstOffset: 0, lastOffset: 3})
    partition.begin(2)
    expect(partition.end(2, 'abort', 4)).toBeUndefined() // nothing written: nothing to skip
    partition.begin(3)
    partition.appended(3, 5)
    partition.end(3, 'abort', 9)
    expect(partition.abortedIn(0, 10)).toEqual([
      {producerId: 1, firstOffset: 0},
      {producerId: 3, firstOffset: 5},
    ])
    expect(partition.abortedIn(4, 10)).toEqual([{producerId: 3, firstOffset: 5}])
    expect(partition.abortedIn(0, 5)).toEqual([{producerId: 1, firstOffset: 0}])
  })
})

describe('batches below the last stable offset', () => {
  it('keeps whole batches that start below the offset and cuts the rest', () => {
    const batches = [0, 2, 5].map((baseOffset) =>
      buildRecordBatch([{value: 'a'}, {value: 'b'}], {baseOffset, attributes: TRANSACTIONAL_ATTRIBUTE}),
    )
    const chunk = Buffer.concat(batches)
    const cut = batchesBelow([chunk], 5)
    expect(cut.bytes).toBe(batches[0]!.length + batches[1]!.length)
    expect(readBatchHeader(cut.records[0]!, batches[0]!.length)?.baseOffset).toBe(2)
    expect(batchesBelow([chunk], 0)).toEqual({records: [], bytes: 0})
    expect(batchesBelow([chunk], 99).bytes).toBe(chunk.length)
  })
})

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

interface Marker {
  topic: string
  partition: number
  marker: MarkerType
  producerId: number
}

function coordinator(dataDir?: string, clock = {now: 1_000}) {
  const dir = dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'txn-unit-'))
  if (!dataDir) dirs.push(dir)
  const markers: Marker[] = []
  const committed: unknown[] = []
  let nextId = 100
  let offset = 0
  const txns = new TransactionCoordinator(
    new TransactionStore(dir, 'never'),
    {
      nextProducerId: () => ++nextId,
      highWatermark: () => offset,
      appendMarker: (topic, partition, marker, producer) => {
        markers.push({topic, partition, marker, producerId: producer.producerId})
        return {offset: offset++, durable: undefined}
      },
      commitOffsets: (offsets) => committed.push(...offsets),
    },
    {maxTimeoutMs: 60_000, timeoutCheckMs: 0, now: () => clock.now},
  )
  return {txns, markers, committed, dir, clock}
}

const init = (txns: TransactionCoordinator, id = 'tx', producerId = -1, producerEpoch = -1) =>
  txns.initProducerId({transactionalId: id, transactionTimeoutMs: 5_000, producerId, producerEpoch})

const errorType = (call: () => unknown) => {
  try {
    call()
  } catch (error) {
    return (error as KafkaProtocolError).type
  }
  return undefined
}

describe('transaction coordinator', () => {
  it('commits: markers to every partition, pending offsets applied, state CompleteCommit', async () => {
    const {txns, markers, committed} = coordinator()
    const {producerId, producerEpoch} = await init(txns)
    txns.addPartitions('tx', producerId, producerEpoch, [
      {topic: 'a', partition: 0},
      {topic: 'b', partition: 1},
    ])
    txns.addOffsets('tx', producerId, producerEpoch, 'group')
    const offset = {group: 'group', topic: 'in', partition: 0, offset: 42, metadata: null}
    txns.txnOffsetCommit('tx', producerId, producerEpoch, [offset])
    expect(txns.describe('tx')?.state).toBe('Ongoing')
    expect(committed).toEqual([])
    await txns.endTxn('tx', producerId, producerEpoch, true)
    expect(markers.map((marker) => [marker.topic, marker.marker])).toEqual([
      ['a', 'commit'],
      ['b', 'commit'],
    ])
    expect(committed).toEqual([offset])
    expect(txns.describe('tx')?.state).toBe('CompleteCommit')
    await txns.endTxn('tx', producerId, producerEpoch, true) // a retried EndTxn is answered, not redone
    expect(markers).toHaveLength(2)
  })

  it('aborts: abort markers, pending offsets dropped; ending an empty transaction is INVALID_TXN_STATE', async () => {
    const {txns, markers, committed} = coordinator()
    const {producerId, producerEpoch} = await init(txns)
    await expect(txns.endTxn('tx', producerId, producerEpoch, true)).rejects.toMatchObject({type: 'INVALID_TXN_STATE'})
    txns.addOffsets('tx', producerId, producerEpoch, 'group')
    txns.txnOffsetCommit('tx', producerId, producerEpoch, [
      {group: 'group', topic: 'in', partition: 0, offset: 1, metadata: null},
    ])
    txns.addPartitions('tx', producerId, producerEpoch, [{topic: 'a', partition: 0}])
    await txns.endTxn('tx', producerId, producerEpoch, false)
    expect(markers.map((marker) => marker.marker)).toEqual(['abort'])
    expect(committed).toEqual([])
    expect(txns.describe('tx')?.state).toBe('CompleteAbort')
  })

  it('fences: the same transactional id keeps its producer id with a bumped epoch and aborts what was open', async () => {
    const {txns, markers} = coordinator()
    const first = await init(txns)
    txns.addPartitions('tx', first.producerId, first.producerEpoch, [{topic: 'a', partition: 0}])
    const second = await init(txns)
    expect(second).toEqual({producerId: first.producerId, producerEpoch: first.producerEpoch + 1})
    expect(markers.map((marker) => marker.marker)).toEqual(['abort'])
    expect(errorType(() => txns.addPartitions('tx', first.producerId, first.producerEpoch, []))).toBe('PRODUCER_FENCED')
    await expect(txns.endTxn('tx', first.producerId, first.producerEpoch, true)).rejects.toMatchObject({
      type: 'PRODUCER_FENCED',
    })
    expect(errorType(() => txns.addPartitions('tx', 999, 0, []))).toBe('INVALID_PRODUCER_ID_MAPPING')
    // v3+: a producer resuming must hold the current (or just previous) epoch
    expect((await init(txns, 'tx', first.producerId, 7)).error).toBe('PRODUCER_FENCED')
  })

  it('refuses transactional batches for partitions outside the ongoing transaction or from an old epoch', async () => {
    const {txns} = coordinator()
    const {producerId, producerEpoch} = await init(txns)
    const header = {
      ...readBatchHeader(buildRecordBatch([{value: 'x'}], {producerId, producerEpoch, baseSequence: 0}))!,
      attributes: TRANSACTIONAL_ATTRIBUTE,
    }
    expect(errorType(() => txns.checkProduce('tx', 'a', 0, header))).toBe('INVALID_TXN_STATE')
    txns.addPartitions('tx', producerId, producerEpoch, [{topic: 'a', partition: 0}])
    expect(errorType(() => txns.checkProduce('tx', 'a', 0, header))).toBeUndefined()
    expect(errorType(() => txns.checkProduce('tx', 'a', 1, header))).toBe('INVALID_TXN_STATE')
    expect(errorType(() => txns.checkProduce('tx', 'a', 0, {...header, producerEpoch: producerEpoch - 1}))).toBe(
      'INVALID_PRODUCER_EPOCH',
    )
    expect(errorType(() => txns.checkProduce('tx', 'a', 0, {...header, attributes: 0x30}))).toBe('INVALID_RECORD')
  })

  it('aborts a transaction open past its timeout and fences its producer', async () => {
    const {txns, markers, clock} = coordinator()
    const {producerId, producerEpoch} = await init(txns)
    txns.addPartitions('tx', producerId, producerEpoch, [{topic: 'a', partition: 0}])
    clock.now += 4_000
    await txns.abortTimedOut()
    expect(markers).toHaveLength(0)
    clock.now += 2_000
    await txns.abortTimedOut()
    expect(markers.map((marker) => marker.marker)).toEqual(['abort'])
    expect(txns.describe('tx')).toMatchObject({state: 'CompleteAbort', producerEpoch: producerEpoch + 1})
  })

  it('keeps its state across a restart: open transactions hold the LSO, the aborted index survives', async () => {
    const first = coordinator()
    const {producerId, producerEpoch} = await init(first.txns)
    first.txns.addPartitions('tx', producerId, producerEpoch, [{topic: 'a', partition: 0}])
    first.txns.appended('a', 0, {
      ...readBatchHeader(buildRecordBatch([{value: 'x'}], {producerId, producerEpoch, baseSequence: 0}))!,
      attributes: TRANSACTIONAL_ATTRIBUTE,
    })
    await init(first.txns, 'other')
    first.txns.close()
    const second = coordinator(first.dir)
    expect(second.txns.describe('tx')).toMatchObject({state: 'Ongoing', producerId, producerEpoch})
    expect(second.txns.lastStableOffset('a', 0, 10)).toBe(0)
    await second.txns.endTxn('tx', producerId, producerEpoch, false)
    expect(second.txns.lastStableOffset('a', 0, 10)).toBe(10)
    expect(second.txns.abortedTransactions('a', 0, 0, 10)).toEqual([{producerId, firstOffset: 0}])
    second.txns.close()
    const third = coordinator(first.dir)
    expect(third.txns.abortedTransactions('a', 0, 0, 10)).toEqual([{producerId, firstOffset: 0}])
    expect(third.txns.describe('tx')?.state).toBe('CompleteAbort')
    third.txns.close()
  })

  it('refuses a timeout above the maximum and an empty transactional id', async () => {
    const {txns} = coordinator()
    expect(
      (
        await txns.initProducerId({
          transactionalId: 'tx',
          transactionTimeoutMs: 10_000_000,
          producerId: -1,
          producerEpoch: -1,
        })
      ).error,
    ).toBe('INVALID_TRANSACTION_TIMEOUT')
    expect(
      (await txns.initProducerId({transactionalId: null, transactionTimeoutMs: 0, producerId: -1, producerEpoch: -1}))
        .error,
    ).toBeUndefined()
  })
})
