// How many connections (and so requests in flight) an open-model run may use right now. Little's
// law says a rate λ at a service time W keeps L = λ·W requests in flight; the pool starts small
// (or where the warm-up left it), grows only when a due send finds every connection busy and the
// law, with headroom, says more are needed, at most doubling every GROW_EVERY_MS, and never past
// the cap, and not while the generator's own loop is saturated (its replies are read late, which
// looks like slow service). A generator hiccup against a fast server therefore waits (and is
// counted late) instead of opening thousands of connections, while a server that stalls gets the
// connections it holds.

/** The smallest pool an open-model run starts with. */
export const MIN_POOL = 16
/** Connections wanted per connection Little's law asks for. */
export const HEADROOM = 2
/** The pool grows at most once per this many ms. */
export const GROW_EVERY_MS = 20
/** Above this share of time busy (the event loop's utilization), the generator, not the service, is slow. */
export const BUSY_LOOP = 0.9
/** The window (ms) over which the arrival rate is measured. */
const RATE_WINDOW_MS = 100
/** Weight of a new service time in the running average. */
const SERVICE_WEIGHT = 0.05

export interface PoolReport {
  /** The most connections the run may ever open. */
  cap: number
  /** The most connections open at once. */
  peak: number
  /** Sends that waited for a free connection (they left later than their intended start). */
  waited: number
  /** Of those, sends that waited while the pool was at its cap: the cap made them late. */
  cappedLate: number
}

export class PoolSizer {
  limit: number
  /** Each growth (the first thousand): when (ms since the start) and the new limit. */
  readonly growth: {atMs: number; limit: number}[] = []
  private serviceMs = 0
  private lastGrowAt = Number.NEGATIVE_INFINITY
  private windowStart = 0
  private windowArrivals = 0
  private ratePerMs = 0
  private waited = 0
  private cappedLate = 0
  private peakOpen = 0

  constructor(
    readonly cap: number,
    initial: number,
  ) {
    this.limit = Math.max(1, Math.min(cap, initial))
  }

  /** An original request's intended start, for the arrival rate. */
  arrival(atMs: number): void {
    this.windowArrivals++
    const elapsed = atMs - this.windowStart
    if (elapsed < RATE_WINDOW_MS) return
    this.ratePerMs = this.windowArrivals / elapsed
    this.windowStart = atMs
    this.windowArrivals = 0
  }

  /** A finished attempt's service time. */
  observe(serviceMs: number): void {
    this.serviceMs = this.serviceMs === 0 ? serviceMs : this.serviceMs + SERVICE_WEIGHT * (serviceMs - this.serviceMs)
  }

  /**
   * Connections Little's law asks for, with headroom. The service time is the larger of the replies'
   * running average and twice the mean age of the requests in flight: requests spread evenly over
   * their service are half-way through it on average, so twice their mean age reads the service
   * time before any of them returns (in a stall, the time since it began).
   */
  wanted(inFlightMeanAgeMs: number): number {
    return Math.ceil(this.ratePerMs * Math.max(this.serviceMs, 2 * inFlightMeanAgeMs) * HEADROOM) + 1
  }

  /**
   * Every connection is busy and a send is due: grows the pool if the law asks for more and the
   * last growth was long enough ago. Returns when to ask again (ms since the start) if no reply
   * comes first: while nothing returns, the requests out grow older and the law may ask for more.
   * Undefined at the cap, where only a reply frees a connection.
   */
  grow(nowMs: number, inFlightMeanAgeMs: number, loopUtilization: () => number): number | undefined {
    if (this.limit >= this.cap) return undefined
    const wanted = this.wanted(inFlightMeanAgeMs)
    if (wanted <= this.limit) return nowMs + GROW_EVERY_MS
    if (nowMs - this.lastGrowAt < GROW_EVERY_MS) return this.lastGrowAt + GROW_EVERY_MS
    // A generator that is busy all the time reads replies late, which looks like a slow service:
    // more connections would only add to its work. It waits for replies instead.
    if (loopUtilization() > BUSY_LOOP) {
      this.lastGrowAt = nowMs
      return nowMs + GROW_EVERY_MS
    }
    this.limit = Math.min(this.cap, wanted, this.limit * 2)
    this.lastGrowAt = nowMs
    if (this.growth.length < 1000) this.growth.push({atMs: nowMs, limit: this.limit})
    return undefined
  }

  /** Connections open now (after a send, which may have opened one). */
  opened(count: number): void {
    if (count > this.peakOpen) this.peakOpen = count
  }

  /** A send left after waiting for a connection; `late` when it counts as late. */
  waitedSend(late: boolean): void {
    this.waited++
    if (late && this.limit >= this.cap) this.cappedLate++
  }

  report(): PoolReport {
    return {
      cap: this.cap,
      peak: this.peakOpen,
      waited: this.waited,
      cappedLate: this.cappedLate,
    }
  }
}
