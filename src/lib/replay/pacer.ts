// Original pacing: a record originally `t` ms after the first one is released `t / speed` ms after
// the replay's first release; `max` releases everything as fast as the target takes it.
import {setTimeout as sleep} from 'node:timers/promises'
import {StreamctlError} from '../errors.js'

export type Speed = number | 'max'

/** `max`, or a factor such as `10x`, `1x`, `0.5x` (the x is optional). */
export function parseSpeed(text: string): Speed {
  const value = text.trim().toLowerCase()
  if (value === 'max') return 'max'
  const match = /^(\d+(?:\.\d+)?)x?$/.exec(value)
  const factor = match ? Number(match[1]) : Number.NaN
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new StreamctlError('INVALID_FLAG', `--speed ${text}: expected max or a factor such as 1x, 10x or 0.5x`)
  return factor
}

export function describeSpeed(speed: Speed): string {
  return speed === 'max' ? 'max' : `${speed}x`
}

export class Pacer {
  private origin: {wall: number; original: number} | undefined
  /** Wall time of the first and the last release, for the summary's paced span. */
  firstReleaseAt: number | undefined
  lastReleaseAt: number | undefined

  /** `signal` cuts a wait short (Ctrl-C): release then rejects with its reason. */
  constructor(
    private readonly speed: Speed,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Splits `records` (in order) into groups that are due together and waits before each group
   * until it is due; `release` gets each group. Unpaced, it is one group at once.
   */
  async release<T extends {timestamp: number}>(
    records: readonly T[],
    release: (due: T[]) => Promise<void>,
  ): Promise<void> {
    if (records.length === 0) return
    if (this.speed === 'max') {
      this.mark()
      await release([...records])
      return
    }
    this.origin ??= {wall: performance.now(), original: records[0]!.timestamp}
    let index = 0
    while (index < records.length) {
      const wait = this.dueAt(records[index]!.timestamp) - performance.now()
      if (wait > 1) await sleep(wait, undefined, this.signal ? {signal: this.signal} : {})
      const now = performance.now()
      let end = index + 1
      while (end < records.length && this.dueAt(records[end]!.timestamp) <= now) end++
      this.mark()
      await release(records.slice(index, end))
      index = end
    }
  }

  private dueAt(timestamp: number): number {
    return this.origin!.wall + (timestamp - this.origin!.original) / (this.speed as number)
  }

  private mark(): void {
    const now = performance.now()
    this.firstReleaseAt ??= now
    this.lastReleaseAt = now
  }
}
