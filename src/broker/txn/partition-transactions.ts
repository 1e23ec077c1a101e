// What read_committed needs of one partition (KIP-98): the transactions open on it, which give the
// last stable offset (the first offset of the earliest open transaction, else the high watermark),
// and the aborted transactions (producer id, first offset, offset of the abort marker), which a
// read_committed fetch lists so the consumer drops those producers' batches in that range.
import type {MarkerType} from '../protocol/control-batch.js'

/** The isolation level (Fetch, ListOffsets) of a consumer that sees committed data only. */
export const READ_COMMITTED = 1

export interface AbortedTransaction {
  producerId: number
  firstOffset: number
  /** The offset of the abort marker. */
  lastOffset: number
}

export class PartitionTransactions {
  /** Producer id → the first offset it wrote in its open transaction (undefined: none yet). */
  private readonly open = new Map<number, number | undefined>()
  /** Sorted by lastOffset (markers are appended in offset order). */
  private readonly aborted: AbortedTransaction[] = []

  /**
   * The producer's transaction now includes this partition. `firstOffset` is given when it is
   * not known exactly (a transaction recovered after a restart: the high watermark when the
   * partition was added, an offset at or before its first batch).
   */
  begin(producerId: number, firstOffset?: number): void {
    if (!this.open.has(producerId) || firstOffset !== undefined) this.open.set(producerId, firstOffset)
  }

  /** A transactional batch of the producer was appended at `baseOffset`. */
  appended(producerId: number, baseOffset: number): void {
    if (this.open.has(producerId) && this.open.get(producerId) === undefined) this.open.set(producerId, baseOffset)
  }

  isOpen(producerId: number): boolean {
    return this.open.has(producerId)
  }

  /** The producer's marker was appended at `markerOffset`; an abort that wrote data is indexed. */
  end(producerId: number, marker: MarkerType, markerOffset: number): AbortedTransaction | undefined {
    const firstOffset = this.open.get(producerId)
    this.open.delete(producerId)
    if (marker === 'commit' || firstOffset === undefined) return undefined
    const entry = {producerId, firstOffset, lastOffset: markerOffset}
    this.restoreAborted(entry)
    return entry
  }

  restoreAborted(entry: AbortedTransaction): void {
    let at = this.aborted.length
    while (at > 0 && this.aborted[at - 1]!.lastOffset > entry.lastOffset) at--
    this.aborted.splice(at, 0, entry)
  }

  lastStableOffset(highWatermark: number): number {
    let stable = highWatermark
    for (const first of this.open.values()) if (first !== undefined && first < stable) stable = first
    return stable
  }

  /** Aborted transactions overlapping [from, to): those a fetch returning that range must list. */
  abortedIn(from: number, to: number): Array<{producerId: number; firstOffset: number}> {
    const overlapping: Array<{producerId: number; firstOffset: number}> = []
    for (const entry of this.aborted)
      if (entry.lastOffset >= from && entry.firstOffset < to)
        overlapping.push({producerId: entry.producerId, firstOffset: entry.firstOffset})
    return overlapping
  }

  /** Every indexed abort, for the journal's compaction. */
  abortedTransactions(): readonly AbortedTransaction[] {
    return this.aborted
  }
}
