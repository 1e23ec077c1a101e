// Reads the Kafka wire format from one request frame. Every read is bounds-checked: a frame that
// ends early or carries an impossible length throws MalformedFrameError, and the server closes
// that connection (and only that one).

export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError'
}

export class Decoder {
  private offset: number

  constructor(
    private readonly buffer: Buffer,
    offset = 0,
  ) {
    this.offset = offset
  }

  private need(size: number, what: string): void {
    if (size < 0 || this.offset + size > this.buffer.length) {
      throw new MalformedFrameError(
        `frame ends before ${what} (need ${size} bytes at ${this.offset}, frame has ${this.buffer.length})`,
      )
    }
  }

  get position(): number {
    return this.offset
  }

  get remaining(): number {
    return this.buffer.length - this.offset
  }

  readInt8(): number {
    this.need(1, 'int8')
    const value = this.buffer.readInt8(this.offset)
    this.offset += 1
    return value
  }

  readBoolean(): boolean {
    return this.readInt8() !== 0
  }

  readInt16(): number {
    this.need(2, 'int16')
    const value = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return value
  }

  readInt32(): number {
    this.need(4, 'int32')
    const value = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return value
  }

  readInt64(): bigint {
    this.need(8, 'int64')
    const value = this.buffer.readBigInt64BE(this.offset)
    this.offset += 8
    return value
  }

  /** int64 as a JavaScript number (offsets and timestamps stay below 2^53). */
  readInt64Number(): number {
    return Number(this.readInt64())
  }

  readString(): string {
    const value = this.readNullableString()
    if (value === null) throw new MalformedFrameError('a required string is null')
    return value
  }

  readNullableString(): string | null {
    const length = this.readInt16()
    if (length === -1) return null
    if (length < -1) throw new MalformedFrameError(`string length ${length}`)
    this.need(length, 'string')
    const value = this.buffer.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return value
  }

  /** NULLABLE_BYTES as a view into the frame (no copy). */
  readBytes(): Buffer | null {
    const length = this.readInt32()
    if (length === -1) return null
    if (length < -1) throw new MalformedFrameError(`bytes length ${length}`)
    this.need(length, 'bytes')
    const value = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return value
  }

  readRequiredBytes(): Buffer {
    return this.readBytes() ?? Buffer.alloc(0)
  }

  readArray<T>(readItem: (decoder: Decoder) => T): T[] {
    const items = this.readNullableArray(readItem)
    return items ?? []
  }

  readNullableArray<T>(readItem: (decoder: Decoder) => T): T[] | null {
    const count = this.readInt32()
    if (count === -1) return null
    // Every item takes at least one byte: a larger count is a lie that would allocate forever.
    if (count < -1 || count > this.remaining)
      throw new MalformedFrameError(`array count ${count} with ${this.remaining} bytes left`)
    const items: T[] = []
    for (let index = 0; index < count; index++) items.push(readItem(this))
    return items
  }

  /** UNSIGNED_VARINT, used by flexible headers (tagged-field counts). */
  readUnsignedVarInt(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.readInt8() & 0xff
      value |= (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value >>> 0
    }
    throw new MalformedFrameError('varint longer than 5 bytes')
  }

  readUInt16(): number {
    this.need(2, 'uint16')
    const value = this.buffer.readUInt16BE(this.offset)
    this.offset += 2
    return value
  }

  readFloat64(): number {
    this.need(8, 'float64')
    const value = this.buffer.readDoubleBE(this.offset)
    this.offset += 8
    return value
  }

  /** UUID as its canonical text (8-4-4-4-12 hex digits). */
  readUuid(): string {
    const hex = this.readRaw(16, 'uuid').toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /** `size` bytes as a view into the frame (no copy). */
  readRaw(size: number, what: string): Buffer {
    this.need(size, what)
    const value = this.buffer.subarray(this.offset, this.offset + size)
    this.offset += size
    return value
  }

  /** COMPACT_(NULLABLE_)STRING: unsigned varint length + 1 (0 for null), then UTF-8 bytes. */
  readCompactNullableString(): string | null {
    const length = this.readUnsignedVarInt() - 1
    if (length === -1) return null
    this.need(length, 'compact string')
    const value = this.buffer.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return value
  }

  /** COMPACT_(NULLABLE_)BYTES as a view into the frame (no copy). */
  readCompactBytes(): Buffer | null {
    const length = this.readUnsignedVarInt() - 1
    if (length === -1) return null
    return this.readRaw(length, 'compact bytes')
  }

  /** Skips the tagged-field section of a flexible header or struct. */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarInt()
    for (let index = 0; index < count; index++) {
      this.readUnsignedVarInt()
      const size = this.readUnsignedVarInt()
      this.need(size, 'tagged field')
      this.offset += size
    }
  }
}
