// The newest bytes of the active segment, copied on append into slabs, so a consumer that keeps up
// with producers is answered from memory, by reference, without a read(2). Invariant: the slabs hold
// exactly the segment file's bytes [start, end), gap-free, each slab whole batches only; the cache
// belongs to its segment and is emptied when the segment is sealed, truncated or deleted, so it
// never serves bytes the file no longer has.
import {BATCH_OVERHEAD} from '../protocol/record-batch.js'

/** Smallest slab: an idle partition with one small append holds no more than this. */
const MIN_SLAB_BYTES = 64 * 1024

interface Slab {
  position: number
  data: Buffer
  used: number
}

export class TailCache {
  private slabs: Slab[] = []
  private bytes = 0

  constructor(private readonly limitBytes: number) {}

  /** First file position held, or undefined when empty. */
  get start(): number | undefined {
    return this.slabs[0]?.position
  }

  /** Copies whole batches appended at `position`; a gap (the file moved under us) empties the cache first. */
  append(position: number, data: Buffer): void {
    if (this.limitBytes <= 0 || data.length > this.limitBytes) return this.clear()
    let slab = this.slabs[this.slabs.length - 1]
    if (slab && slab.position + slab.used !== position) {
      this.clear()
      slab = undefined
    }
    if (!slab || slab.used + data.length > slab.data.length) {
      slab = {position, data: Buffer.allocUnsafe(Math.max(MIN_SLAB_BYTES, data.length)), used: 0}
      this.slabs.push(slab)
    }
    slab.used += data.copy(slab.data, slab.used)
    this.bytes += data.length
    while (this.slabs.length > 1 && this.bytes > this.limitBytes) this.bytes -= this.slabs.shift()!.used
  }

  /**
   * Whole batches from the batch at `position` (a batch start, >= `start`) up to `maxBytes` (or one
   * larger batch when `atLeastOne`), as views of the slabs; leading batches that end before the
   * offset `skipBefore` are skipped.
   */
  batches(position: number, skipBefore: number, maxBytes: number, atLeastOne: boolean): Buffer[] {
    const views: Buffer[] = []
    let total = 0
    let slabIndex = this.slabs.findIndex((slab) => position < slab.position + slab.used)
    while (slabIndex >= 0 && slabIndex < this.slabs.length) {
      const slab = this.slabs[slabIndex]!
      let at = position - slab.position
      let from = at
      while (at < slab.used) {
        const size = slab.data.readInt32BE(at + 8) + BATCH_OVERHEAD
        if (from === at && total === 0 && lastOffset(slab.data, at) < skipBefore) {
          at += size
          from = at
          continue
        }
        if ((total > 0 || !atLeastOne) && total + size > maxBytes) break
        total += size
        at += size
      }
      if (at > from) views.push(slab.data.subarray(from, at))
      if (at < slab.used) break
      position = slab.position + slab.used
      slabIndex++
    }
    return views
  }

  clear(): void {
    this.slabs = []
    this.bytes = 0
  }
}

/** baseOffset + lastOffsetDelta of the batch at `at` (RecordBatch v2 fields @0 and @23). */
function lastOffset(data: Buffer, at: number): number {
  return Number(data.readBigInt64BE(at)) + data.readInt32BE(at + 23)
}
