// Builds uncompressed RecordBatch v2 bytes (the layout in record-batch.ts) from plain records: for
// tests, fixtures, the raw-protocol bench client and the broker's transaction markers.
//
// Record => length: varint, attributes: int8, timestampDelta: varlong, offsetDelta: varint,
//           keyLength: varint, key, valueLength: varint, value, headersCount: varint
import {crc32c} from './crc32c.js'
import {BATCH_HEADER_SIZE} from './record-batch.js'

export interface PlainRecord {
  key?: Buffer | string | null
  value: Buffer | string | null
  timestamp?: number
}

function zigzag(value: number): number[] {
  let encoded = value >= 0 ? value * 2 : -value * 2 - 1
  const bytes: number[] = []
  while (encoded >= 0x80) {
    bytes.push((encoded % 0x80) | 0x80)
    encoded = Math.floor(encoded / 0x80)
  }
  bytes.push(encoded)
  return bytes
}

const asBuffer = (value: Buffer | string | null | undefined) =>
  value === null || value === undefined ? null : Buffer.isBuffer(value) ? value : Buffer.from(value)

function encodeRecord(record: PlainRecord, offsetDelta: number, firstTimestamp: number): Buffer {
  const key = asBuffer(record.key)
  const value = asBuffer(record.value)
  const head = Buffer.from([
    0,
    ...zigzag((record.timestamp ?? firstTimestamp) - firstTimestamp),
    ...zigzag(offsetDelta),
    ...zigzag(key ? key.length : -1),
  ])
  const valueLength = Buffer.from(zigzag(value ? value.length : -1))
  const body = Buffer.concat([head, key ?? Buffer.alloc(0), valueLength, value ?? Buffer.alloc(0), Buffer.from([0])])
  return Buffer.concat([Buffer.from(zigzag(body.length)), body])
}

export function buildRecordBatch(
  records: PlainRecord[],
  options: {
    baseOffset?: number
    producerId?: number
    producerEpoch?: number
    baseSequence?: number
    attributes?: number
  } = {},
): Buffer {
  const now = Date.now()
  const timestamps = records.map((record) => record.timestamp ?? now)
  const firstTimestamp = timestamps[0] ?? now
  const body = Buffer.concat(
    records.map((record, index) => encodeRecord({...record, timestamp: timestamps[index]}, index, firstTimestamp)),
  )
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + body.length)
  batch.writeBigInt64BE(BigInt(options.baseOffset ?? 0), 0)
  batch.writeInt32BE(batch.length - 12, 8)
  batch.writeInt32BE(0, 12)
  batch.writeInt8(2, 16)
  batch.writeInt16BE(options.attributes ?? 0, 21)
  batch.writeInt32BE(records.length - 1, 23)
  batch.writeBigInt64BE(BigInt(firstTimestamp), 27)
  batch.writeBigInt64BE(BigInt(Math.max(...timestamps)), 35)
  batch.writeBigInt64BE(BigInt(options.producerId ?? -1), 43)
  batch.writeInt16BE(options.producerEpoch ?? -1, 51)
  batch.writeInt32BE(options.baseSequence ?? -1, 53)
  batch.writeInt32BE(records.length, 57)
  body.copy(batch, BATCH_HEADER_SIZE)
  batch.writeUInt32BE(crc32c(batch, 21), 17)
  return batch
}
