// The newest bytes of the active segment, held on append in slabs (copied, or a large produce
// buffer kept by reference), so a consumer that keeps up with producers is answered from memory,
// by reference, without a read(2). Invariant: the slabs hold
// exactly the segment file's bytes [start, end), gap-free, each slab whole batches only; the cache
// belongs to its segment and is emptied when the segment is sealed, truncated or deleted, so it
// never serves bytes the file no longer has.
import {batchSizeAt, lastOffsetAt} from '../protocol/record-batch.js'

/** Smallest slab: an idle partition with one small append holds no more than this. */
const MIN_SLAB_BYTES = 64 * 1024
/** Largest slab: each full slab doubles the next, so a busy partition allocates one slab per MB, not per append. */
const MAX_SLAB_BYTES = 1024 * 1024
/** Appends at least this large are kept by reference when their buffer holds little else. */
const ADOPT_MIN_BYTES = 32 * 1024

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

  /**
   * Holds whole batches appended at `position`; a gap (the file moved under us) empties the cache
   * first. `data` must never change afterwards: a large buffer that is (nearly) all its own
   * allocation, like a produce request's records, is kept by reference instead of copied.
   */
  append(position: number, data: Buffer): void {
    if (this.limitBytes <= 0 || data.length > this.limitBytes) return this.clear()
    let slab = this.slabs[this.slabs.length - 1]
    if (slab && slab.position + slab.used !== position) {
      this.clear()
      slab = undefined
    }
    if (data.length >= ADOPT_MIN_BYTES && data.buffer.byteLength - data.length <= data.length / 16) {
      this.slabs.push({position, data, used: data.length})
    } else {
      if (!slab || slab.used + data.length > slab.data.length) {
        const grown = slab ? Math.min(MAX_SLAB_BYTES, slab.data.length * 2) : MIN_SLAB_BYTES
        slab = {position, data: Buffer.allocUnsafe(Math.max(grown, data.length)), used: 0}
        this.slabs.push(slab)
      }
      slab.used += data.copy(slab.data, slab.used)
    }
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
        const size = batchSizeAt(slab.data, at)
        if (from === at && total === 0 && lastOffsetAt(slab.data, at) < skipBefore) {
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
