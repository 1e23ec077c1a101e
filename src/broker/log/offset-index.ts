// The sparse indexes of one segment, kept in memory and written beside the segment as
// `<base>.index` (entries: relative offset int32, file position int32) and `<base>.timeindex`
// (entries: max timestamp so far int64, relative offset int32). Entries only ever grow: offsets and
// positions strictly, timestamps monotonically, so lookups are binary searches.
import {readFileSync, writeFileSync} from 'node:fs'

export class SparseIndex {
  readonly offsets: number[] = []
  readonly positions: number[] = []
  readonly timestamps: number[] = []
  readonly timeOffsets: number[] = []

  addOffset(offset: number, position: number): void {
    this.offsets.push(offset)
    this.positions.push(position)
  }

  addTime(timestamp: number, offset: number): void {
    if (this.timestamps.length > 0 && timestamp <= this.timestamps[this.timestamps.length - 1]!) return
    this.timestamps.push(timestamp)
    this.timeOffsets.push(offset)
  }

  /** File position of the last indexed batch starting at or before `offset` (0 when none). */
  positionFor(offset: number): number {
    const index = lastAtOrBelow(this.offsets, offset)
    return index < 0 ? 0 : this.positions[index]!
  }

  /** The first indexed offset whose batch may hold a timestamp >= `timestamp`, or undefined. */
  offsetForTime(timestamp: number): number | undefined {
    // Up to and including the batch at entry `index`, every timestamp is older than the target.
    const index = lastAtOrBelow(this.timestamps, timestamp - 1)
    return index < 0 ? undefined : this.timeOffsets[index]
  }

  truncateFrom(position: number): void {
    while (this.positions.length > 0 && this.positions[this.positions.length - 1]! >= position) {
      this.positions.pop()
      this.offsets.pop()
    }
  }

  write(indexFile: string, timeFile: string, baseOffset: number): void {
    const offsets = Buffer.alloc(this.offsets.length * 8)
    this.offsets.forEach((offset, index) => {
      offsets.writeInt32BE(offset - baseOffset, index * 8)
      offsets.writeInt32BE(this.positions[index]!, index * 8 + 4)
    })
    const times = Buffer.alloc(this.timestamps.length * 12)
    this.timestamps.forEach((timestamp, index) => {
      times.writeBigInt64BE(BigInt(timestamp), index * 12)
      times.writeInt32BE(this.timeOffsets[index]! - baseOffset, index * 12 + 8)
    })
    writeFileSync(indexFile, offsets)
    writeFileSync(timeFile, times)
  }

  /** Loads both index files; undefined when either is missing or malformed (then the caller rebuilds). */
  static read(indexFile: string, timeFile: string, baseOffset: number, segmentSize: number): SparseIndex | undefined {
    let offsets: Buffer
    let times: Buffer
    try {
      offsets = readFileSync(indexFile)
      times = readFileSync(timeFile)
    } catch {
      return undefined
    }
    if (offsets.length % 8 !== 0 || times.length % 12 !== 0) return undefined
    const index = new SparseIndex()
    for (let at = 0; at < offsets.length; at += 8) {
      const position = offsets.readInt32BE(at + 4)
      if (
        position >= segmentSize ||
        (index.positions.length > 0 && position <= index.positions[index.positions.length - 1]!)
      )
        return undefined
      index.addOffset(baseOffset + offsets.readInt32BE(at), position)
    }
    for (let at = 0; at < times.length; at += 12)
      index.addTime(Number(times.readBigInt64BE(at)), baseOffset + times.readInt32BE(at + 8))
    return index
  }
}

/** Index of the last element <= value in an ascending array, or -1. */
function lastAtOrBelow(values: number[], value: number): number {
  let low = 0
  let high = values.length - 1
  let found = -1
  while (low <= high) {
    const middle = (low + high) >>> 1
    if (values[middle]! <= value) {
      found = middle
      low = middle + 1
    } else high = middle - 1
  }
  return found
}
