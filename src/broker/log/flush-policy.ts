// When appended bytes reach the disk: `always` fsyncs before a produce is acknowledged (appends
// that arrive while one fsync runs share the next one: group commit), `interval` fsyncs dirty
// segments on a timer, `never` leaves it to the OS (and to roll and shutdown). fsyncs run on the
// thread pool, so the broker keeps serving other requests meanwhile.
import type {LogSegment} from './segment.js'

export const FSYNC_POLICIES = ['always', 'interval', 'never'] as const
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number]

interface Waiter {
  resolve: () => void
  reject: (error: unknown) => void
}

export class FlushScheduler {
  private readonly dirty = new Set<LogSegment>()
  private waiters: Waiter[] = []
  private flushing: Promise<void> | undefined
  private again = false
  private readonly timer: NodeJS.Timeout | undefined

  constructor(
    readonly policy: FsyncPolicy,
    intervalMs: number,
    /** Hears a failed flush that no caller awaits: the timer's, a follow-up one, the one at shutdown. */
    private readonly onBackgroundFailure: (error: unknown) => void,
  ) {
    if (policy === 'interval') {
      this.timer = setInterval(() => this.flushInBackground(), intervalMs)
      this.timer.unref()
    }
  }

  /** Resolves once the segment's bytes are durable as the policy requires. */
  afterAppend(segment: LogSegment): Promise<void> | undefined {
    if (this.policy === 'never') return undefined
    this.dirty.add(segment)
    if (this.policy === 'interval') return undefined
    const durable = new Promise<void>((resolve, reject) => this.waiters.push({resolve, reject}))
    if (this.flushing) this.again = true
    else setImmediate(() => this.flushInBackground())
    return durable
  }

  /** fsyncs every dirty segment, then answers everyone who was waiting for those bytes. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true
      return this.flushing
    }
    const segments = [...this.dirty]
    const waiters = this.waiters
    this.dirty.clear()
    this.waiters = []
    this.flushing = Promise.all(segments.map((segment) => segment.flushAsync()))
      .then(
        () => waiters.forEach((waiter) => waiter.resolve()),
        (error: unknown) => {
          waiters.forEach((waiter) => waiter.reject(error))
          throw error
        },
      )
      .finally(() => {
        this.flushing = undefined
        if (this.again || this.waiters.length > 0) {
          this.again = false
          this.flushInBackground()
        }
      })
    return this.flushing
  }

  /** Produces waiting on these bytes get a failure through their own promise; the broker's log hears it here. */
  private flushInBackground(): void {
    this.flush().catch(this.onBackgroundFailure)
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.flush().catch(this.onBackgroundFailure)
  }
}
