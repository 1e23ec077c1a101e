// A small chained encoder for the Kafka wire format (big-endian, int16-length strings,
// int32-length bytes and arrays). Large byte payloads (record batches read from the log) are
// kept by reference as separate chunks, so a fetch response is never copied into one buffer.

const INITIAL_SIZE = 256

export class Encoder {
  private readonly chunks: Buffer[] = []
  private buffer = Buffer.allocUnsafe(INITIAL_SIZE)
  private offset = 0
  private flushedLength = 0

  private ensure(extra: number): void {
    if (this.offset + extra <= this.buffer.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + extra))
    this.buffer.copy(next, 0, 0, this.offset)
    this.buffer = next
  }

  writeInt8(value: number): this {
    this.ensure(1)
    this.offset = this.buffer.writeInt8(value, this.offset)
    return this
  }

  writeBoolean(value: boolean): this {
    return this.writeInt8(value ? 1 : 0)
  }

  writeInt16(value: number): this {
    this.ensure(2)
    this.offset = this.buffer.writeInt16BE(value, this.offset)
    return this
  }

  writeInt32(value: number): this {
    this.ensure(4)
    this.offset = this.buffer.writeInt32BE(value, this.offset)
    return this
  }

  writeUInt32(value: number): this {
    this.ensure(4)
    this.offset = this.buffer.writeUInt32BE(value, this.offset)
    return this
  }

  writeInt64(value: bigint | number): this {
    this.ensure(8)
    this.offset = this.buffer.writeBigInt64BE(BigInt(value), this.offset)
    return this
  }

  writeUInt16(value: number): this {
    this.ensure(2)
    this.offset = this.buffer.writeUInt16BE(value, this.offset)
    return this
  }

  writeFloat64(value: number): this {
    this.ensure(8)
    this.offset = this.buffer.writeDoubleBE(value, this.offset)
    return this
  }

  /** UUID from its canonical text (hyphens optional). */
  writeUuid(value: string): this {
    const hex = value.replaceAll('-', '')
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${JSON.stringify(value)}`)
    this.ensure(16)
    this.offset += this.buffer.write(hex, this.offset, 'hex')
    return this
  }

  /** UNSIGNED_VARINT: 7 bits a byte, least significant first. */
  writeUnsignedVarInt(value: number): this {
    this.ensure(5)
    let rest = value >>> 0
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    this.buffer[this.offset++] = rest
    return this
  }

  /** COMPACT_(NULLABLE_)STRING: unsigned varint length + 1 (0 for null), then UTF-8 bytes. */
  writeCompactNullableString(value: string | null | undefined): this {
    if (value === null || value === undefined) return this.writeUnsignedVarInt(0)
    const length = Buffer.byteLength(value)
    this.writeUnsignedVarInt(length + 1)
    this.ensure(length)
    this.offset += this.buffer.write(value, this.offset)
    return this
  }

  /** STRING: int16 length, then UTF-8 bytes. */
  writeString(value: string): this {
    const length = Buffer.byteLength(value)
    this.ensure(2 + length)
    this.offset = this.buffer.writeInt16BE(length, this.offset)
    this.offset += this.buffer.write(value, this.offset)
    return this
  }

  /** NULLABLE_STRING: length -1 for null. */
  writeNullableString(value: string | null | undefined): this {
    return value === null || value === undefined ? this.writeInt16(-1) : this.writeString(value)
  }

  /** BYTES / NULLABLE_BYTES: int32 length, then the bytes (kept by reference when large). */
  writeBytes(value: Buffer | null | undefined): this {
    if (value === null || value === undefined) return this.writeInt32(-1)
    this.writeInt32(value.length)
    return this.writeRaw(value)
  }

  /** Bytes with no length prefix. */
  writeRaw(value: Buffer): this {
    if (value.length >= 1024) {
      this.flushBuffer()
      this.chunks.push(value)
      this.flushedLength += value.length
      return this
    }
    this.ensure(value.length)
    this.offset += value.copy(this.buffer, this.offset)
    return this
  }

  /** ARRAY: int32 count, then each item. */
  writeArray<T>(items: readonly T[], writeItem: (encoder: this, item: T) => void): this {
    this.writeInt32(items.length)
    for (const item of items) writeItem(this, item)
    return this
  }

  /** NULLABLE ARRAY: count -1 for null. */
  writeNullableArray<T>(items: readonly T[] | null | undefined, writeItem: (encoder: this, item: T) => void): this {
    if (items === null || items === undefined) return this.writeInt32(-1)
    return this.writeArray(items, writeItem)
  }

  private flushBuffer(): void {
    if (this.offset === 0) return
    this.chunks.push(this.buffer.subarray(0, this.offset))
    this.flushedLength += this.offset
    this.buffer = Buffer.allocUnsafe(INITIAL_SIZE)
    this.offset = 0
  }

  get length(): number {
    return this.flushedLength + this.offset
  }

  /** The encoded bytes as chunks, ready for a vectored socket write. */
  toChunks(): Buffer[] {
    this.flushBuffer()
    return this.chunks
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toChunks())
  }
}

/** How every API module writes its response: the body for one version of that API. */
export type ResponseEncoder<Response> = (encoder: Encoder, version: number, response: Response) => void

/** One response body in a fresh encoder, ready to be framed and sent. */
export function encodeResponse<Response>(
  encode: ResponseEncoder<Response>,
  version: number,
  response: Response,
): Encoder {
  const encoder = new Encoder()
  encode(encoder, version, response)
  return encoder
}
