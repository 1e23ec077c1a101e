// RecordBatch v2 (magic 2), the unit the log stores exactly as the producer sent it:
//
// RecordBatch =>
//   baseOffset: int64                 @0   (rewritten by the broker on append)
//   batchLength: int32                @8   (bytes after this field)
//   partitionLeaderEpoch: int32       @12
//   magic: int8                       @16  (must be 2)
//   crc: uint32                       @17  (CRC-32C of attributes .. end)
//   attributes: int16                 @21  (bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control)
//   lastOffsetDelta: int32            @23
//   firstTimestamp: int64             @27
//   maxTimestamp: int64               @35
//   producerId: int64                 @43
//   producerEpoch: int16              @51
//   baseSequence: int32               @53
//   records: [Record]                 @57  (int32 count, then the records)
import {crc32c} from './crc32c.js'

export const BATCH_HEADER_SIZE = 61
export const BATCH_OVERHEAD = 12 // baseOffset + batchLength
const CRC_START = 21

export interface BatchHeader {
  baseOffset: number
  /** Whole batch size in bytes, including baseOffset and batchLength. */
  size: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  firstTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

/** The header of the batch at `position`, or undefined when fewer than a header's bytes remain. */
export function readBatchHeader(buffer: Buffer, position = 0): BatchHeader | undefined {
  if (buffer.length - position < BATCH_HEADER_SIZE) return undefined
  return {
    baseOffset: Number(buffer.readBigInt64BE(position)),
    size: buffer.readInt32BE(position + 8) + BATCH_OVERHEAD,
    magic: buffer.readInt8(position + 16),
    crc: buffer.readUInt32BE(position + 17),
    attributes: buffer.readInt16BE(position + 21),
    lastOffsetDelta: buffer.readInt32BE(position + 23),
    firstTimestamp: Number(buffer.readBigInt64BE(position + 27)),
    maxTimestamp: Number(buffer.readBigInt64BE(position + 35)),
    producerId: Number(buffer.readBigInt64BE(position + 43)),
    producerEpoch: buffer.readInt16BE(position + 51),
    baseSequence: buffer.readInt32BE(position + 53),
    recordCount: buffer.readInt32BE(position + 57),
  }
}

/** Whether the batch's stored CRC matches its bytes. */
/** The whole size of the batch at `position` (length field + what it does not count), without reading the rest of its header. */
export function batchSizeAt(buffer: Buffer, position: number): number {
  return buffer.readInt32BE(position + 8) + BATCH_OVERHEAD
}

/** baseOffset + lastOffsetDelta of the batch at `position`: the offset of its last record. */
export function lastOffsetAt(buffer: Buffer, position: number): number {
  return Number(buffer.readBigInt64BE(position)) + buffer.readInt32BE(position + 23)
}

export function batchCrcMatches(buffer: Buffer, position: number, size: number): boolean {
  return crc32c(buffer, position + CRC_START, position + size) === buffer.readUInt32BE(position + 17)
}

export function setBaseOffset(buffer: Buffer, position: number, baseOffset: number): void {
  buffer.writeBigInt64BE(BigInt(baseOffset), position)
}

export type BatchProblem = 'truncated' | 'magic' | 'crc' | 'size'

export interface ValidatedBatch {
  position: number
  header: BatchHeader
}

/**
 * Splits a produce request's records into batches and checks each: complete, magic 2, CRC-32C.
 * Returns the batches, or the first problem found.
 */
export function validateBatches(records: Buffer): {batches: ValidatedBatch[]} | {problem: BatchProblem} {
  const batches: ValidatedBatch[] = []
  let position = 0
  while (position < records.length) {
    if (records.length - position >= 17 && records.readInt8(position + 16) !== 2) return {problem: 'magic'}
    const header = readBatchHeader(records, position)
    if (!header) return {problem: 'truncated'}
    if (header.size < BATCH_HEADER_SIZE) return {problem: 'size'}
    if (position + header.size > records.length) return {problem: 'truncated'}
    if (!batchCrcMatches(records, position, header.size)) return {problem: 'crc'}
    batches.push({position, header})
    position += header.size
  }
  return {batches}
}

export function compressionOf(attributes: number): number {
  return attributes & 0x07
}

export const TRANSACTIONAL_ATTRIBUTE = 0x10
export const CONTROL_ATTRIBUTE = 0x20

/** A batch written inside a transaction (KIP-98): attributes bit 4. */
export function isTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_ATTRIBUTE) !== 0
}

/** A control batch (a transaction marker), written only by the broker: attributes bit 5. */
export function isControl(attributes: number): boolean {
  return (attributes & CONTROL_ATTRIBUTE) !== 0
}

/**
 * The leading whole batches of `chunks` (as a log read returns them) whose base offset is below
 * `offset`: a read_committed fetch stops at the last stable offset.
 */
export function batchesBelow(chunks: Buffer[], offset: number): {records: Buffer[]; bytes: number} {
  const records: Buffer[] = []
  let bytes = 0
  for (const chunk of chunks) {
    let position = 0
    while (position < chunk.length) {
      const header = readBatchHeader(chunk, position)
      if (!header || header.baseOffset >= offset) break
      position += header.size
    }
    const end = Math.min(position, chunk.length)
    if (end > 0) {
      records.push(end === chunk.length ? chunk : chunk.subarray(0, end))
      bytes += end
    }
    if (end < chunk.length) break
  }
  return {records, bytes}
}

/** Reads a zig-zag varint (Record fields); returns the value and the next position. */
export function readVarInt(buffer: Buffer, position: number): [number, number] {
  let value = 0
  let shift = 0
  let byte: number
  do {
    byte = buffer[position++]!
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80 && shift < 63)
  const decoded = value % 2 === 0 ? value / 2 : -(value + 1) / 2
  return [decoded, position]
}

/**
 * Offsets and timestamps of each record of an uncompressed batch (used to find the first record
 * at or after a timestamp). Record => length varint, attributes int8, timestampDelta varlong,
 * offsetDelta varint, ...
 */
export function recordTimestamps(batch: Buffer, header: BatchHeader): Array<{offset: number; timestamp: number}> {
  const result: Array<{offset: number; timestamp: number}> = []
  let position = BATCH_HEADER_SIZE
  for (let index = 0; index < header.recordCount && position < batch.length; index++) {
    const [length, afterLength] = readVarInt(batch, position)
    let cursor = afterLength + 1
    const [timestampDelta, afterTimestamp] = readVarInt(batch, cursor)
    cursor = afterTimestamp
    const [offsetDelta] = readVarInt(batch, cursor)
    result.push({offset: header.baseOffset + offsetDelta, timestamp: header.firstTimestamp + timestampDelta})
    position = afterLength + length
  }
  return result
}
