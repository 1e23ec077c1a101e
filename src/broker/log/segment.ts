// One log segment: `<baseOffset, 20 digits>.log` holding RecordBatch v2 batches exactly as the
// producer sent them, with their baseOffset rewritten to the offset assigned on append, plus its
// sparse offset and time indexes. Invariant: the file is a gap-free sequence of whole batches whose
// offsets increase; recovery truncates anything after the last batch that passes its CRC.
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  fstatSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import {
  BATCH_HEADER_SIZE,
  BATCH_OVERHEAD,
  batchSizeAt,
  batchCrcMatches,
  lastOffsetAt,
  readBatchHeader,
  type BatchHeader,
} from '../protocol/record-batch.js'
import {SparseIndex} from './offset-index.js'
import {TailCache} from './tail-cache.js'

const SCAN_CHUNK = 8 * 1024 * 1024
/** Newest bytes of the active segment kept in memory for consumers at the tail (per partition). */
const TAIL_CACHE_BYTES = 8 * 1024 * 1024

export function segmentFileName(baseOffset: number, extension: string): string {
  return `${String(baseOffset).padStart(20, '0')}.${extension}`
}

export interface SegmentScan {
  /** Bytes cut off the end because they were not whole, valid batches. */
  truncatedBytes: number
  batches: number
}

export class LogSegment {
  private fd: number
  size: number
  nextOffset: number
  maxTimestamp = -1
  /** When the first batch was appended (for roll by age). */
  createdAtMs: number
  index = new SparseIndex()
  private bytesSinceIndex = 0
  dirty = false
  private closed = false
  private readonly tail = new TailCache(TAIL_CACHE_BYTES)

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
  ) {
    this.fd = openSync(this.file('log'), 'a+')
    this.size = fstatSync(this.fd).size
    this.nextOffset = baseOffset
    this.createdAtMs = Date.now()
  }

  static create(dir: string, baseOffset: number, indexIntervalBytes: number): LogSegment {
    return new LogSegment(dir, baseOffset, indexIntervalBytes)
  }

  /** Opens an existing segment: indexes from disk when trustworthy, else rebuilt by a header scan. */
  static open(
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    options: {verify: boolean; onBatch?: (header: BatchHeader) => void},
  ): {segment: LogSegment; scan: SegmentScan} {
    const segment = new LogSegment(dir, baseOffset, indexIntervalBytes)
    const loaded = options.verify
      ? undefined
      : SparseIndex.read(segment.file('index'), segment.file('timeindex'), baseOffset, segment.size)
    if (loaded && loaded.offsets.length > 0) {
      segment.index = loaded
      segment.restoreTailFromIndex()
      return {segment, scan: {truncatedBytes: 0, batches: -1}}
    }
    return {segment, scan: segment.scanAndRecover(options.verify, options.onBatch)}
  }

  file(extension: string): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, extension))
  }

  /** Walks the batches from the last indexed one to find the next offset and max timestamp. */
  private restoreTailFromIndex(): void {
    let position = this.index.positions[this.index.positions.length - 1] ?? 0
    const last = this.index.timestamps.length
    this.maxTimestamp = last > 0 ? this.index.timestamps[last - 1]! : -1
    while (position < this.size) {
      const header = this.headerAt(position)
      if (!header) break
      this.nextOffset = header.baseOffset + header.lastOffsetDelta + 1
      this.maxTimestamp = Math.max(this.maxTimestamp, header.maxTimestamp)
      position += header.size
    }
  }

  /** Reads every batch, optionally checking CRCs, rebuilds the indexes and truncates a torn tail. */
  private scanAndRecover(verifyCrc: boolean, onBatch?: (header: BatchHeader) => void): SegmentScan {
    let position = 0
    let batches = 0
    let expectedOffset = this.baseOffset
    let chunk: Buffer = Buffer.alloc(0)
    let chunkStart = 0
    while (position < this.size) {
      if (position + BATCH_HEADER_SIZE > chunkStart + chunk.length) {
        chunk = this.read(position, Math.min(SCAN_CHUNK, this.size - position))
        chunkStart = position
      }
      const header = readBatchHeader(chunk, position - chunkStart)
      if (
        !header ||
        header.magic !== 2 ||
        header.size < BATCH_HEADER_SIZE ||
        position + header.size > this.size ||
        header.baseOffset < expectedOffset
      )
        break
      if (position + header.size > chunkStart + chunk.length) {
        chunk = this.read(position, Math.max(header.size, Math.min(SCAN_CHUNK, this.size - position)))
        chunkStart = position
      }
      if (verifyCrc && !batchCrcMatches(chunk, position - chunkStart, header.size)) break
      this.track(header, position)
      onBatch?.(header)
      expectedOffset = this.nextOffset
      position += header.size
      batches++
    }
    const truncatedBytes = this.size - position
    if (truncatedBytes > 0) {
      ftruncateSync(this.fd, position)
      this.size = position
    }
    return {truncatedBytes, batches}
  }

  private track(header: BatchHeader, position: number): void {
    if (this.index.offsets.length === 0 || this.bytesSinceIndex >= this.indexIntervalBytes) {
      this.index.addOffset(header.baseOffset, position)
      this.bytesSinceIndex = 0
    }
    this.bytesSinceIndex += header.size
    if (header.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = header.maxTimestamp
      this.index.addTime(header.maxTimestamp, header.baseOffset)
    }
    this.nextOffset = header.baseOffset + header.lastOffsetDelta + 1
  }

  /** Appends whole batches (already offset-assigned) in one write. */
  append(data: Buffer, headers: Array<{header: BatchHeader; position: number}>): void {
    if (this.size === 0) this.createdAtMs = Date.now()
    const start = this.size
    let written = 0
    while (written < data.length) written += writeSync(this.fd, data, written, data.length - written)
    for (const {header, position} of headers) this.track(header, start + position)
    this.size += data.length
    this.dirty = true
    this.tail.append(start, data)
  }

  read(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)))
    let done = 0
    while (done < buffer.length) {
      const count = readSync(this.fd, buffer, done, buffer.length - done, position + done)
      if (count === 0) break
      done += count
    }
    return done === buffer.length ? buffer : buffer.subarray(0, done)
  }

  headerAt(position: number): BatchHeader | undefined {
    if (position + BATCH_HEADER_SIZE > this.size) return undefined
    return readBatchHeader(this.read(position, BATCH_HEADER_SIZE))
  }

  /** File position of the batch that contains `offset` (or the first one after it). */
  positionOf(offset: number): number {
    let position = this.index.positionFor(offset)
    while (position < this.size) {
      const header = this.headerAt(position)
      if (!header || header.baseOffset + header.lastOffsetDelta >= offset) return position
      position += header.size
    }
    return this.size
  }

  /**
   * Whole batches starting with the one that holds `offset`, up to `maxBytes` — and with
   * `atLeastOne`, one batch even when it is larger than `maxBytes`. The bytes go out as stored: from the
   * tail cache by reference, or else in one read from the indexed batch at or before `offset`.
   */
  readBatches(offset: number, maxBytes: number, atLeastOne = true): Buffer[] {
    const position = this.index.positionFor(offset)
    const cached = this.tail.start
    if (cached !== undefined && position >= cached) return this.tail.batches(position, offset, maxBytes, atLeastOne)
    return this.readBatchesFromFile(position, offset, maxBytes, atLeastOne)
  }

  private readBatchesFromFile(position: number, offset: number, maxBytes: number, atLeastOne: boolean): Buffer[] {
    // The batches before `offset` span about index.interval.bytes, so one read usually covers them too.
    const length = Math.max(maxBytes, BATCH_HEADER_SIZE) + this.indexIntervalBytes
    let chunk = this.read(position, length)
    let start = 0
    for (;;) {
      if (chunk.length - start < BATCH_HEADER_SIZE) {
        position += start
        if (position >= this.size) return []
        chunk = this.read(position, length)
        start = 0
        continue
      }
      if (lastOffsetAt(chunk, start) >= offset) break
      start += batchSizeAt(chunk, start)
    }
    let end = start
    while (chunk.length - end >= BATCH_OVERHEAD) {
      const size = batchSizeAt(chunk, end)
      if (end + size > chunk.length || ((end > start || !atLeastOne) && end + size - start > maxBytes)) break
      end += size
    }
    if (end === start) {
      if (!atLeastOne) return []
      // A first batch larger than the read gets a read of its own.
      return [this.read(position + start, batchSizeAt(chunk, start))]
    }
    return [chunk.subarray(start, end)]
  }

  /** The segment stops being active: its bytes go to disk with its indexes, and its tail cache is released. */
  seal(): void {
    this.flush()
    this.writeIndexes()
    this.tail.clear()
  }

  flush(): void {
    if (!this.dirty || this.closed) return
    fdatasyncSync(this.fd)
    this.dirty = false
  }

  /** fdatasync on the thread pool, so the event loop keeps serving while the disk catches up. */
  flushAsync(): Promise<void> {
    if (!this.dirty || this.closed) return Promise.resolve()
    this.dirty = false
    return new Promise((resolve, reject) => {
      fdatasync(this.fd, (error) => {
        if (error && !this.closed) {
          this.dirty = true
          reject(error)
        } else resolve()
      })
    })
  }

  writeIndexes(): void {
    this.index.write(this.file('index'), this.file('timeindex'), this.baseOffset)
  }

  close(): void {
    if (this.closed) return
    this.flush()
    this.writeIndexes()
    this.closed = true
    this.tail.clear()
    closeSync(this.fd)
  }

  /** Removes the segment and its indexes from disk. */
  delete(): void {
    if (!this.closed) closeSync(this.fd)
    this.closed = true
    this.tail.clear()
    for (const extension of ['log', 'index', 'timeindex']) rmSync(this.file(extension), {force: true})
  }
}
