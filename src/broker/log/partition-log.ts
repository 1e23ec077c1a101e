// The log of one topic-partition: an ordered list of segments, the last one active. Appends assign
// offsets by rewriting each batch's baseOffset, reads return whole batches, and retention deletes
// whole segments from the front. Invariant: segment base offsets increase and segment i ends
// exactly where segment i+1 begins, so the high watermark is the active segment's next offset.
// The log start offset is the first segment's base offset, or higher once DeleteRecords moved it
// inside a segment: then it is kept in `log-start-offset` (written by rename, read at open).
import {mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {KafkaProtocolError} from '../protocol/errors.js'
import {
  readBatchHeader,
  recordTimestamps,
  compressionOf,
  setBaseOffset,
  type BatchHeader,
  type ValidatedBatch,
} from '../protocol/record-batch.js'
import {LogSegment, type SegmentScan} from './segment.js'
import type {LogSettings} from './topic-config.js'

export interface RecoveryReport {
  segments: number
  truncatedBytes: number
}

export interface ReadResult {
  records: Buffer[]
  bytes: number
}

const LOG_START_FILE = 'log-start-offset'

export class PartitionLog {
  private readonly segments: LogSegment[] = []
  /** Where DeleteRecords moved the start to; below the first segment's base it means nothing. */
  private deletedBefore = 0
  private readonly appendListeners = new Set<() => void>()

  constructor(
    readonly dir: string,
    private settings: LogSettings,
  ) {}

  /** Opens the segments on disk; the active (last) one is CRC-checked and a torn tail truncated. */
  /** `onBatch` sees every batch of the recovered active segment (to rebuild producer state). */
  static open(
    dir: string,
    settings: LogSettings,
    onBatch?: (header: BatchHeader) => void,
  ): {log: PartitionLog; recovery: RecoveryReport} {
    mkdirSync(dir, {recursive: true})
    const log = new PartitionLog(dir, settings)
    const bases = readdirSync(dir)
      .filter((name) => /^\d{20}\.log$/.test(name))
      .map((name) => Number(name.slice(0, 20)))
      .sort((left, right) => left - right)
    let truncatedBytes = 0
    bases.forEach((base, position) => {
      const last = position === bases.length - 1
      const {segment, scan} = LogSegment.open(dir, base, settings.indexIntervalBytes, {
        verify: last,
        ...(last && onBatch ? {onBatch} : {}),
      })
      truncatedBytes += (scan as SegmentScan).truncatedBytes
      log.segments.push(segment)
    })
    if (log.segments.length === 0) log.segments.push(LogSegment.create(dir, 0, settings.indexIntervalBytes))
    log.deletedBefore = Math.min(readLogStart(dir), log.highWatermark)
    return {log, recovery: {segments: log.segments.length, truncatedBytes}}
  }

  updateSettings(settings: LogSettings): void {
    this.settings = settings
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!
  }

  get logStartOffset(): number {
    return Math.max(this.segments[0]!.baseOffset, this.deletedBefore)
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (never down, never past the high
   * watermark), persists it, and deletes the segments wholly below it. Returns the new start.
   */
  deleteRecordsBefore(offset: number): number {
    if (offset > this.highWatermark || offset < 0) throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE')
    if (offset <= this.logStartOffset) return this.logStartOffset
    this.deletedBefore = offset
    writeLogStart(this.dir, offset)
    if (offset === this.highWatermark && this.active.size > 0) this.roll()
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.segments.shift()!.delete()
    return this.logStartOffset
  }

  get highWatermark(): number {
    return this.active.nextOffset
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.size, 0)
  }

  get segmentCount(): number {
    return this.segments.length
  }

  /**
   * Appends validated batches (a produce request's records), assigning consecutive offsets.
   * Returns the base offset of the first batch. The buffer is modified in place.
   */
  append(records: Buffer, batches: ValidatedBatch[]): {baseOffset: number; segment: LogSegment} {
    if (batches.some((batch) => batch.header.size > this.settings.maxMessageBytes))
      throw new KafkaProtocolError('MESSAGE_TOO_LARGE')
    this.maybeRoll(records.length)
    const baseOffset = this.highWatermark
    let next = baseOffset
    for (const batch of batches) {
      setBaseOffset(records, batch.position, next)
      batch.header.baseOffset = next
      next += batch.header.lastOffsetDelta + 1
    }
    const segment = this.active
    segment.append(records, batches)
    for (const listener of this.appendListeners) listener()
    return {baseOffset, segment}
  }

  private maybeRoll(incoming: number): void {
    const active = this.active
    if (active.size === 0) return
    const tooBig = active.size + incoming > this.settings.segmentBytes
    const tooOld = Date.now() - active.createdAtMs >= this.settings.segmentMs
    if (!tooBig && !tooOld) return
    this.roll()
  }

  /** Closes the active segment for appends and starts a new one at the high watermark. */
  private roll(): void {
    this.active.seal()
    this.segments.push(LogSegment.create(this.dir, this.highWatermark, this.settings.indexIntervalBytes))
  }

  /**
   * Whole batches from `offset`, up to `maxBytes` across segments; when `atLeastOne` (the first
   * partition with data in a fetch response), the first batch goes out even if it is larger.
   */
  read(offset: number, maxBytes: number, atLeastOne = true): ReadResult {
    if (offset < this.logStartOffset || offset > this.highWatermark) throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE')
    const records: Buffer[] = []
    let bytes = 0
    let segmentIndex = this.segmentIndexFor(offset)
    let cursor = offset
    while (segmentIndex < this.segments.length && cursor < this.highWatermark) {
      const segment = this.segments[segmentIndex]!
      const chunks = segment.readBatches(cursor, maxBytes - bytes, atLeastOne && bytes === 0)
      if (chunks.length === 0) {
        if (bytes > 0 || cursor < segment.nextOffset) break
        segmentIndex++
        continue
      }
      for (const chunk of chunks) {
        records.push(chunk)
        bytes += chunk.length
      }
      if (bytes >= maxBytes) break
      cursor = segment.nextOffset
      segmentIndex++
    }
    return {records, bytes}
  }

  private segmentIndexFor(offset: number): number {
    let low = 0
    let high = this.segments.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if (this.segments[middle]!.baseOffset <= offset) low = middle
      else high = middle - 1
    }
    return low
  }

  /** Offset of the first record whose timestamp is >= `timestamp`, found through the time indexes. */
  offsetForTimestamp(timestamp: number): {offset: number; timestamp: number} | undefined {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp) continue
      let position = segment.positionOf(segment.index.offsetForTime(timestamp) ?? segment.baseOffset)
      while (position < segment.size) {
        const header = segment.headerAt(position)
        if (!header) break
        if (header.maxTimestamp >= timestamp) {
          const start = this.logStartOffset
          if (compressionOf(header.attributes) !== 0)
            return {offset: Math.max(header.baseOffset, start), timestamp: header.maxTimestamp}
          const batch = segment.read(position, header.size)
          const match = recordTimestamps(batch, readBatchHeader(batch)!).find(
            (record) => record.timestamp >= timestamp && record.offset >= start,
          )
          if (match) return match
        }
        position += header.size
      }
    }
    return undefined
  }

  /** The record with the largest timestamp (the first of equals), through each segment's max timestamp. */
  offsetOfMaxTimestamp(): {offset: number; timestamp: number} | undefined {
    const largest = Math.max(...this.segments.map((segment) => segment.maxTimestamp))
    return largest < 0 ? undefined : this.offsetForTimestamp(largest)
  }

  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener)
    return () => this.appendListeners.delete(listener)
  }

  /** Deletes whole non-active segments past retention.ms or beyond retention.bytes. */
  enforceRetention(now: number): number {
    let deleted = 0
    const {retentionMs, retentionBytes} = this.settings
    let total = this.sizeBytes
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!
      const expired = retentionMs >= 0 && oldest.maxTimestamp >= 0 && now - oldest.maxTimestamp > retentionMs
      const oversize = retentionBytes >= 0 && total - oldest.size >= retentionBytes
      if (!expired && !oversize) break
      total -= oldest.size
      oldest.delete()
      this.segments.shift()
      deleted++
    }
    // An expired active segment is rolled, so the next pass can delete it.
    const active = this.active
    if (retentionMs >= 0 && active.size > 0 && active.maxTimestamp >= 0 && now - active.maxTimestamp > retentionMs)
      this.roll()
    return deleted
  }

  flush(): void {
    for (const segment of this.segments) segment.flush()
  }

  close(): void {
    for (const segment of this.segments) segment.close()
    this.appendListeners.clear()
  }
}

function readLogStart(dir: string): number {
  let text: string
  try {
    text = readFileSync(path.join(dir, LOG_START_FILE), 'utf8')
  } catch {
    // No file: DeleteRecords never moved this partition's start, so the first segment gives it.
    return 0
  }
  const offset = Number(text.trim())
  return Number.isSafeInteger(offset) && offset > 0 ? offset : 0
}

function writeLogStart(dir: string, offset: number): void {
  const file = path.join(dir, LOG_START_FILE)
  writeFileSync(`${file}.tmp`, `${offset}\n`)
  renameSync(`${file}.tmp`, file)
}
