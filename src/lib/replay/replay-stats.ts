// What a replay did, per source partition, and how its progress is shown: done/total, events/s
// and ETA, throttled so a fast replay does not redraw on every chunk.
import {formatDuration} from '../text/duration.js'
import type {Task} from '../ui/reporter.js'
import type {PartitionRange, ReplayRecord} from './replay-record.js'

export interface PartitionSummary {
  partition: number
  /** The range [start, end) replayed. */
  start: number
  end: number
  events: number
  /** Original times of the first and last event replayed in this run (ISO). */
  firstEventAt?: string
  lastEventAt?: string
  note?: string
}

export class ReplayStats {
  private readonly byPartition = new Map<number, {events: number; first?: number; last?: number}>()
  private readonly startedAt = performance.now()
  private lastShown = 0
  done: number

  constructor(
    private readonly task: Task,
    public total: number,
    /** Events already replayed by an interrupted run this one resumes. */
    readonly resumedFrom = 0,
  ) {
    this.done = resumedFrom
  }

  count(partition: number, records: readonly ReplayRecord[]): void {
    let entry = this.byPartition.get(partition)
    if (!entry) this.byPartition.set(partition, (entry = {events: 0}))
    entry.events += records.length
    for (const record of records) {
      if (entry.first === undefined || record.timestamp < entry.first) entry.first = record.timestamp
      if (entry.last === undefined || record.timestamp > entry.last) entry.last = record.timestamp
    }
    this.done += records.length
    const now = performance.now()
    if (now - this.lastShown >= 250 || this.done >= this.total) {
      this.lastShown = now
      const rate = this.rate()
      const left = this.total - this.done
      this.task.update({
        done: this.done,
        total: this.total,
        metrics: {'events/s': Math.round(rate), ETA: rate > 0 ? formatDuration((left / rate) * 1000) : '-'},
      })
    }
  }

  /** Events per second replayed by this run (not counting what a resumed run had done). */
  rate(): number {
    const seconds = this.elapsedMs() / 1000
    return seconds > 0 ? (this.done - this.resumedFrom) / seconds : 0
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt
  }

  partitions(ranges: readonly PartitionRange[]): PartitionSummary[] {
    return ranges.map((range) => {
      const entry = this.byPartition.get(range.partition)
      return {
        partition: range.partition,
        start: range.start,
        end: range.end,
        events: entry?.events ?? 0,
        ...(entry?.first === undefined
          ? {}
          : {firstEventAt: new Date(entry.first).toISOString(), lastEventAt: new Date(entry.last!).toISOString()}),
        ...(range.note ? {note: range.note} : {}),
      }
    })
  }
}
