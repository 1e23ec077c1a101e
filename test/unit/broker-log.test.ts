// The partition log on a real temporary directory: offsets, reads of whole batches, segment roll by
// size and age, the offset and time indexes, retention by time and bytes, and recovery at start.
import {mkdtemp, readdir, rm, stat, truncate, readFile, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {PartitionLog} from '../../src/broker/log/partition-log.js'
import {logSettings} from '../../src/broker/log/topic-config.js'
import {ProducerState} from '../../src/broker/log/producer-state.js'
import {buildRecordBatch, type PlainRecord} from '../../src/broker/protocol/record-batch-builder.js'
import {readBatchHeader, validateBatches} from '../../src/broker/protocol/record-batch.js'
import {KafkaProtocolError} from '../../src/broker/protocol/errors.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-log-test-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

function append(
  log: PartitionLog,
  records: PlainRecord[],
  options: Parameters<typeof buildRecordBatch>[1] = {},
): number {
  const batch = buildRecordBatch(records, options)
  const validated = validateBatches(batch)
  if (!('batches' in validated)) throw new Error(validated.problem)
  return log.append(batch, validated.batches).baseOffset
}

/** Base offsets of the batches a read returns. */
function batchOffsets(buffers: Buffer[]): number[] {
  const offsets: number[] = []
  for (const buffer of buffers) {
    for (let position = 0; position < buffer.length;) {
      const header = readBatchHeader(buffer, position)!
      offsets.push(header.baseOffset)
      position += header.size
    }
  }
  return offsets
}

const values = (count: number, size = 100, timestamp?: number) =>
  Array.from({length: count}, (_, index) => ({
    value: 'x'.repeat(size - 1) + (index % 10),
    ...(timestamp === undefined ? {} : {timestamp}),
  }))

describe('PartitionLog', () => {
  it('assigns consecutive offsets and reads whole batches from the one that holds the offset', () => {
    const {log} = PartitionLog.open(dir, logSettings({}))
    expect(append(log, values(3))).toBe(0)
    expect(append(log, values(2))).toBe(3)
    expect(append(log, values(4))).toBe(5)
    expect(log.highWatermark).toBe(9)
    expect(batchOffsets(log.read(4, 1_000_000).records)).toEqual([3, 5])
    // At least one batch even when it is bigger than the limit.
    expect(batchOffsets(log.read(0, 10).records)).toEqual([0])
    expect(log.read(9, 1000).records).toEqual([])
    expect(() => log.read(10, 1000)).toThrow(KafkaProtocolError)
    log.close()
  })

  it('rolls segments by size and by age, and reads across them', () => {
    const {log} = PartitionLog.open(dir, logSettings({'segment.bytes': '2000'}))
    for (let index = 0; index < 10; index++) append(log, values(5))
    expect(log.segmentCount).toBeGreaterThan(3)
    expect(batchOffsets(log.read(0, 100_000).records)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45])
    expect(batchOffsets(log.read(23, 100_000).records)[0]).toBe(20)
    log.updateSettings(logSettings({'segment.ms': '0'}))
    const before = log.segmentCount
    append(log, values(1))
    expect(log.segmentCount).toBe(before + 1)
    log.close()
  })

  it('finds the first record at or after a timestamp through the time index', () => {
    const {log} = PartitionLog.open(dir, logSettings({'segment.bytes': '1500', 'index.interval.bytes': '200'}))
    for (let batch = 0; batch < 20; batch++)
      append(log, [
        {value: `a${batch}`, timestamp: 1000 + batch * 10},
        {value: `b${batch}`, timestamp: 1005 + batch * 10},
      ])
    expect(log.offsetForTimestamp(0)).toEqual({offset: 0, timestamp: 1000})
    expect(log.offsetForTimestamp(1053)).toEqual({offset: 11, timestamp: 1055})
    expect(log.offsetForTimestamp(1100)).toEqual({offset: 20, timestamp: 1100})
    expect(log.offsetForTimestamp(5000)).toBeUndefined()
    log.close()
  })

  it('deletes whole old segments by retention.bytes and retention.ms, moving the log start', () => {
    const {log} = PartitionLog.open(dir, logSettings({'segment.bytes': '2000', 'retention.bytes': '4000'}))
    for (let index = 0; index < 20; index++) append(log, values(5, 100, 1_000))
    const total = log.sizeBytes
    expect(log.enforceRetention(2_000)).toBeGreaterThan(0)
    expect(log.sizeBytes).toBeLessThan(total)
    expect(log.sizeBytes).toBeGreaterThanOrEqual(4000 - 2000)
    expect(log.logStartOffset).toBeGreaterThan(0)
    expect(() => log.read(0, 1000)).toThrow(KafkaProtocolError)

    log.updateSettings(logSettings({'segment.bytes': '2000', 'retention.ms': '60000'}))
    log.enforceRetention(1_000 + 60_001)
    log.enforceRetention(1_000 + 60_001)
    expect(log.sizeBytes).toBe(0)
    expect(log.logStartOffset).toBe(100)
    expect(log.highWatermark).toBe(100)
    expect(append(log, values(1))).toBe(100)
    log.close()
  })

  it('reopens with the same offsets, and at start cuts a corrupt or torn tail off the active segment', async () => {
    const first = PartitionLog.open(dir, logSettings({}))
    for (let index = 0; index < 4; index++) append(first.log, values(10))
    first.log.close()
    const segment = path.join(
      dir,
      (await readdir(dir)).find((name) => name.endsWith('.log'))!,
    )
    const clean = PartitionLog.open(dir, logSettings({}))
    expect(clean.recovery.truncatedBytes).toBe(0)
    expect(clean.log.highWatermark).toBe(40)
    clean.log.close()

    // Flip a byte inside the last batch: its CRC no longer matches, so it goes.
    const bytes = await readFile(segment)
    const lastBatchSize = bytes.length / 4
    bytes[bytes.length - 5]! ^= 0x55
    await writeFile(segment, bytes)
    const corrupt = PartitionLog.open(dir, logSettings({}))
    expect(corrupt.recovery.truncatedBytes).toBe(lastBatchSize)
    expect(corrupt.log.highWatermark).toBe(30)
    corrupt.log.close()

    // A half-written batch at the end.
    await truncate(segment, (await stat(segment)).size - 7)
    const torn = PartitionLog.open(dir, logSettings({}))
    expect(torn.log.highWatermark).toBe(20)
    expect(append(torn.log, values(1))).toBe(20)
    torn.log.close()
  })
})

describe('PartitionLog reads', () => {
  /** The bytes a read returns, joined, with the base offsets of their batches. */
  const readAt = (log: PartitionLog, offset: number, maxBytes: number, atLeastOne = true) => {
    const {records, bytes} = log.read(offset, maxBytes, atLeastOne)
    return {bytes, offsets: batchOffsets(records), data: Buffer.concat(records)}
  }

  it('answers a fetch inside a batch with that whole batch, the same from the tail cache and from the file', () => {
    const settings = logSettings({'segment.bytes': '8000', 'index.interval.bytes': '1500'})
    const first = PartitionLog.open(dir, settings)
    for (let index = 0; index < 30; index++) append(first.log, values(1 + (index % 4), 200))
    const offsets = Array.from({length: first.log.highWatermark}, (_, offset) => offset)
    const limits = [1, 2000, 1_000_000]
    const fromMemory = offsets.flatMap((offset) => limits.map((limit) => readAt(first.log, offset, limit)))
    first.log.close()
    const reopened = PartitionLog.open(dir, settings)
    const fromFile = offsets.flatMap((offset) => limits.map((limit) => readAt(reopened.log, offset, limit)))
    const summary = (reads: typeof fromFile) => reads.map((read) => [read.offsets, read.data.toString('base64')])
    expect(summary(fromFile)).toEqual(summary(fromMemory))
    for (const [index, read] of fromFile.entries()) {
      const offset = offsets[Math.floor(index / limits.length)]!
      const limit = limits[index % limits.length]!
      // The first batch holds the offset asked for; whole batches only, within the limit unless one alone is larger.
      expect(read.offsets[0]).toBeLessThanOrEqual(offset)
      const header = readBatchHeader(read.data)!
      expect(header.baseOffset + header.lastOffsetDelta).toBeGreaterThanOrEqual(offset)
      expect(read.bytes <= limit || read.offsets.length === 1).toBe(true)
    }
    // Across segments, in order, without gaps.
    const all = readAt(reopened.log, 0, 1_000_000)
    expect(reopened.log.segmentCount).toBeGreaterThan(2)
    let next = 0
    for (let position = 0; position < all.data.length;) {
      const header = readBatchHeader(all.data, position)!
      expect(header.baseOffset).toBe(next)
      next = header.baseOffset + header.lastOffsetDelta + 1
      position += header.size
    }
    expect(next).toBe(reopened.log.highWatermark)
    reopened.log.close()
  })

  it('leaves a batch out rather than pass max bytes once the response already holds data', () => {
    const {log} = PartitionLog.open(dir, logSettings({'segment.bytes': '3000'}))
    for (let index = 0; index < 12; index++) append(log, values(5, 100))
    const batchSize = readAt(log, 0, 1).bytes
    // The fetch handler asks later partitions for no oversized batch.
    expect(readAt(log, 0, batchSize - 1, false).offsets).toEqual([])
    expect(readAt(log, 0, batchSize * 3 + 10, false).offsets).toEqual([0, 5, 10])
    // Across a segment boundary the limit holds too.
    expect(readAt(log, 20, batchSize * 4 - 1).offsets).toEqual([20, 25, 30])
    log.close()
  })

  it('never serves bytes recovery cut off or retention deleted, even those once held in memory', async () => {
    const first = PartitionLog.open(dir, logSettings({}))
    for (let index = 0; index < 4; index++) append(first.log, values(10, 100))
    first.log.close()
    const file = path.join(
      dir,
      (await readdir(dir)).find((name) => name.endsWith('.log'))!,
    )
    await truncate(file, (await stat(file)).size - 7)
    const recovered = PartitionLog.open(dir, logSettings({'segment.bytes': '4000', 'retention.bytes': '4000'}))
    expect(recovered.log.highWatermark).toBe(30)
    // New records take the offsets of the torn batch; a read returns them, not the old bytes.
    append(
      recovered.log,
      values(10, 100).map((record) => ({value: `new ${record.value}`})),
    )
    const read = readAt(recovered.log, 35, 1_000_000)
    expect(read.offsets).toEqual([30])
    expect(read.data.includes('new ')).toBe(true)
    for (let index = 0; index < 20; index++) append(recovered.log, values(10, 100))
    expect(recovered.log.enforceRetention(Date.now())).toBeGreaterThan(0)
    expect(() => recovered.log.read(0, 1000)).toThrow(KafkaProtocolError)
    const start = recovered.log.logStartOffset
    expect(readAt(recovered.log, start, 1_000_000).offsets[0]).toBe(start)
    recovered.log.close()
  })
})

describe('ProducerState', () => {
  it('answers a retried idempotent batch with its first offset and refuses a sequence gap', () => {
    const {log} = PartitionLog.open(dir, logSettings({}))
    const producers = new ProducerState()
    const send = (sequence: number, count: number) => {
      const batch = buildRecordBatch(values(count), {producerId: 7, producerEpoch: 0, baseSequence: sequence})
      const validated = validateBatches(batch)
      if (!('batches' in validated)) throw new Error('invalid')
      const header = validated.batches[0]!.header
      const duplicate = producers.check(header)
      if (duplicate !== undefined) return duplicate
      const {baseOffset} = log.append(batch, validated.batches)
      producers.record(header)
      return baseOffset
    }
    expect(send(0, 3)).toBe(0)
    expect(send(3, 2)).toBe(3)
    expect(send(3, 2)).toBe(3)
    expect(log.highWatermark).toBe(5)
    expect(() => send(9, 1)).toThrow(/sequence/)
    log.close()
  })

  it('is rebuilt from the recovered active segment, so a retry after a broker restart is still recognised', () => {
    const batch = buildRecordBatch(values(4), {producerId: 11, producerEpoch: 2, baseSequence: 0})
    const validated = validateBatches(Buffer.from(batch))
    if (!('batches' in validated)) throw new Error('invalid')
    const first = PartitionLog.open(dir, logSettings({}))
    first.log.append(Buffer.from(batch), validated.batches)
    first.log.close()
    const producers = new ProducerState()
    const reopened = PartitionLog.open(dir, logSettings({}), (header) => producers.record(header))
    expect(producers.check(readBatchHeader(batch)!)).toBe(0)
    reopened.log.close()
  })
})
