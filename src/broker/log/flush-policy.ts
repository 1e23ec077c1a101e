// When appended bytes reach the disk: `always` fsyncs before a produce is acknowledged (appends
// that arrive in the same event-loop turn share one fsync), `interval` fsyncs dirty segments on a
// timer, `never` leaves it to the OS (and to roll and shutdown).
import type {LogSegment} from './segment.js'

export const FSYNC_POLICIES = ['always', 'interval', 'never'] as const
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number]

export class FlushScheduler {
  private readonly dirty = new Set<LogSegment>()
  private waiters: Array<{resolve: () => void; reject: (error: unknown) => void}> = []
  private scheduled = false
  private readonly timer: NodeJS.Timeout | undefined

  constructor(
    readonly policy: FsyncPolicy,
    intervalMs = 1000,
  ) {
    if (policy === 'interval') {
      this.timer = setInterval(() => this.flushNow(), intervalMs)
      this.timer.unref()
    }
  }

  /** Resolves once the segment's bytes are durable as the policy requires. */
  afterAppend(segment: LogSegment): Promise<void> | undefined {
    if (this.policy === 'never') return undefined
    this.dirty.add(segment)
    if (this.policy === 'interval') return undefined
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flushNow())
    }
    return new Promise((resolve, reject) => this.waiters.push({resolve, reject}))
  }

  flushNow(): void {
    this.scheduled = false
    const waiters = this.waiters
    this.waiters = []
    try {
      for (const segment of this.dirty) segment.flush()
      this.dirty.clear()
      for (const waiter of waiters) waiter.resolve()
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error)
    }
  }

  /** Forgets a segment that is being deleted. */
  forget(segment: LogSegment): void {
    this.dirty.delete(segment)
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.flushNow()
  }
}
