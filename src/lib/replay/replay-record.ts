// What flows through a replay, whatever its source: one record with where it came from (a topic
// partition and offset, or a file's line), its original time, key and value.
export interface ReplayRecord {
  /** The source partition (0 for a file). */
  partition: number
  /** The offset in that partition (for a file: the 0-based index of the event). */
  offset: number
  /** Original time, epoch ms: the Kafka record timestamp, or the event's `ts` in a recording. */
  timestamp: number
  key: string | null
  value: string
}

/** The range of one source partition a replay covers: offsets in [start, end). */
export interface PartitionRange {
  partition: number
  start: number
  end: number
  /** Why the bounds are not literally what was asked for (from the seek planner). */
  note?: string
}

export function rangeSize(ranges: readonly PartitionRange[]): number {
  return ranges.reduce((sum, range) => sum + Math.max(0, range.end - range.start), 0)
}
