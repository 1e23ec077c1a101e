// A minimal Kafka wire client for the broker bench: one connection, pipelined requests matched by
// correlation id, and pre-encoded Produce frames, so the bench measures the broker rather than a
// client library. Uses the broker's own encoder and RecordBatch builder from dist/.
import net from 'node:net'
import {Encoder} from '../../dist/broker/protocol/encoder.js'
import {buildRecordBatch} from '../../dist/broker/protocol/record-batch-builder.js'
import {readBatchHeader} from '../../dist/broker/protocol/record-batch.js'

const SCRATCH_BYTES = 64 * 1024

export class WireClient {
  static async connect(port, host = '127.0.0.1') {
    const client = new WireClient()
    const socket = net.connect({
      port,
      host,
      onread: {buffer: () => client.nextReadBuffer(), callback: (count) => client.onRead(count)},
    })
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    socket.setNoDelay(true)
    client.socket = socket
    return client
  }

  constructor() {
    this.pending = new Map()
    this.nextId = 1
    // Bytes land in `scratch` until a response's size is known; a response that does not fit there
    // gets its own buffer and the socket reads the rest straight into it, as librdkafka does, so a
    // 4 MB fetch response is copied once (kernel to user), never joined from 64 KB pieces.
    this.scratch = Buffer.allocUnsafe(SCRATCH_BYTES)
    this.scratchFilled = 0
    this.response = undefined
    this.responseFilled = 0
  }

  nextReadBuffer() {
    return this.response ? this.response.subarray(this.responseFilled) : this.scratch.subarray(this.scratchFilled)
  }

  onRead(count) {
    if (this.response) {
      this.responseFilled += count
      if (this.responseFilled === this.response.length) {
        const response = this.response
        this.response = undefined
        this.deliver(response)
      }
      return
    }
    this.scratchFilled += count
    let at = 0
    while (this.scratchFilled - at >= 4) {
      const size = this.scratch.readInt32BE(at)
      const available = this.scratchFilled - at - 4
      if (available >= size) {
        // Copied out: the scratch buffer is reused by the next read.
        this.deliver(Buffer.from(this.scratch.subarray(at + 4, at + 4 + size)))
        at += 4 + size
        continue
      }
      if (size > SCRATCH_BYTES - 4) {
        this.response = Buffer.allocUnsafe(size)
        this.responseFilled = this.scratch.copy(this.response, 0, at + 4, this.scratchFilled)
        at = this.scratchFilled
      }
      break
    }
    this.scratch.copy(this.scratch, 0, at, this.scratchFilled)
    this.scratchFilled -= at
  }

  deliver(frame) {
    const id = frame.readInt32BE(0)
    const resolve = this.pending.get(id)
    this.pending.delete(id)
    resolve?.(frame.subarray(4))
  }

  /** Encodes a request with header v1 around `body` (an Encoder callback) and sends it. */
  frame(apiKey, version, writeBody) {
    const encoder = new Encoder()
      .writeInt32(0)
      .writeInt16(apiKey)
      .writeInt16(version)
      .writeInt32(0)
      .writeString('bench')
    writeBody(encoder)
    const frame = encoder.toBuffer()
    frame.writeInt32BE(frame.length - 4, 0)
    return frame
  }

  /**
   * Sends a pre-built frame under a fresh correlation id and resolves with the response body. The
   * frame itself is never modified or copied: only its 12-byte head is written anew.
   */
  send(frame) {
    const id = this.nextId++
    const head = Buffer.allocUnsafe(12)
    frame.copy(head, 0, 0, 8)
    head.writeInt32BE(id, 8)
    const response = new Promise((resolve) => this.pending.set(id, resolve))
    this.socket.cork()
    this.socket.write(head)
    this.socket.write(frame.subarray(12))
    this.socket.uncork()
    return response
  }

  request(apiKey, version, writeBody) {
    return this.send(this.frame(apiKey, version, writeBody))
  }

  createTopic(topic, partitions = 1) {
    return this.request(19, 1, (out) =>
      out
        .writeArray([topic], (inner) =>
          inner.writeString(topic).writeInt32(partitions).writeInt16(1).writeInt32(0).writeInt32(0),
        )
        .writeInt32(10_000)
        .writeBoolean(false),
    )
  }

  /** A Produce v7 frame carrying one batch of `count` records of `size` bytes each. */
  produceFrame(topic, count, size, acks = 1) {
    const value = Buffer.alloc(size, 'x')
    const batch = buildRecordBatch(Array.from({length: count}, () => ({value})))
    return this.frame(0, 7, (out) =>
      out
        .writeNullableString(null)
        .writeInt16(acks)
        .writeInt32(30_000)
        .writeArray([topic], (inner) =>
          inner.writeString(topic).writeArray([batch], (records) => records.writeInt32(0).writeBytes(batch)),
        ),
    )
  }

  /** Fetch v4 from one partition; returns the records bytes and the number of records in them. */
  async fetch(topic, offset, maxBytes) {
    const body = await this.request(1, 4, (out) =>
      out
        .writeInt32(-1)
        .writeInt32(100)
        .writeInt32(1)
        .writeInt32(maxBytes)
        .writeInt8(0)
        .writeArray([topic], (inner) =>
          inner
            .writeString(topic)
            .writeArray([0], (partitions) => partitions.writeInt32(0).writeInt64(offset).writeInt32(maxBytes)),
        ),
    )
    // throttle, [topic name, [partition, error, hw, lso, aborted(-1), records]]
    let at = 4 + 4
    at += 2 + body.readInt16BE(at)
    at += 4 + 4 + 2
    const highWatermark = Number(body.readBigInt64BE(at))
    at += 16
    const aborted = body.readInt32BE(at)
    at += 4 + Math.max(0, aborted) * 16
    const length = body.readInt32BE(at)
    const records = body.subarray(at + 4, at + 4 + Math.max(0, length))
    let count = 0
    let next = offset
    for (let position = 0; position < records.length;) {
      const header = readBatchHeader(records, position)
      if (!header || position + header.size > records.length) break
      count += header.recordCount
      next = header.baseOffset + header.lastOffsetDelta + 1
      position += header.size
    }
    return {bytes: records.length, count, next, highWatermark}
  }

  close() {
    this.socket.destroy()
  }
}
