// Recording of one run: every value is recorded once, into the current interval's accumulator of
// its (series, phase) pair; when the interval closes, that accumulator is encoded for the interval,
// added into the phase's and the run's totals, and reset. So per-endpoint, per-phase and
// per-interval histograms come out of one pass at the cost of one record per value, and memory does
// not grow with the number of requests. Totals are complete once the last interval is closed.
import {ERROR_CLASSES, emptyErrorCounts, type ErrorClass, type ErrorCounts} from './outcome.js'
import {TimingHistogram, type LatencySummary} from './histogram.js'
import type {IntervalData, SeriesCounts, SeriesData} from './run-data.js'

export function emptySeriesCounts(): SeriesCounts {
  return {
    requests: 0,
    succeeded: 0,
    degraded: 0,
    failed: emptyErrorCounts(),
    attempts: 0,
    retries: 0,
    attemptErrors: emptyErrorCounts(),
    late: 0,
    dropped: 0,
    budgetExhausted: 0,
  }
}

class SeriesAccumulator {
  readonly latency = new TimingHistogram()
  readonly service = new TimingHistogram()
  counts: SeriesCounts = emptySeriesCounts()

  touched(): boolean {
    const c = this.counts
    return c.requests + c.attempts + c.dropped + c.late + c.budgetExhausted > 0
  }

  toData(): SeriesData {
    return {
      counts: structuredClone(this.counts),
      latency: this.latency.summary(),
      service: this.service.summary(),
      latencyHistogram: this.latency.encode(),
      serviceHistogram: this.service.encode(),
    }
  }

  reset(): void {
    this.latency.reset()
    this.service.reset()
    this.counts = emptySeriesCounts()
  }

  addTo(other: SeriesAccumulator): void {
    other.latency.add(this.latency)
    other.service.add(this.service)
    const from = this.counts
    const to = other.counts
    to.requests += from.requests
    to.succeeded += from.succeeded
    to.degraded = (to.degraded ?? 0) + (from.degraded ?? 0)
    to.attempts += from.attempts
    to.retries += from.retries
    to.late += from.late
    to.dropped += from.dropped
    to.budgetExhausted += from.budgetExhausted
    addErrors(to.failed, from.failed)
    addErrors(to.attemptErrors, from.attemptErrors)
  }
}

function addErrors(to: ErrorCounts, from: ErrorCounts): void {
  for (const errorClass of ERROR_CLASSES) to[errorClass] += from[errorClass]
}

/** Where one (series, phase) pair records: its accumulator for the current interval. */
export class SeriesHandle {
  readonly current = new SeriesAccumulator()

  constructor(
    readonly name: string,
    readonly phaseTotal: SeriesAccumulator,
    readonly runTotal: SeriesAccumulator,
  ) {}

  send(isRetry: boolean, late: boolean): void {
    const counts = this.current.counts
    counts.attempts++
    if (isRetry) counts.retries++
    if (late) counts.late++
  }

  attempt(serviceMs: number, error: ErrorClass | undefined): void {
    this.current.service.record(serviceMs)
    if (error) this.current.counts.attemptErrors[error]++
  }

  /** The final outcome of an original request, with its latency from its first intended start. */
  outcome(latencyMs: number, error: ErrorClass | undefined, degraded = false): void {
    const current = this.current
    current.latency.record(latencyMs)
    current.counts.requests++
    if (error) current.counts.failed[error]++
    else current.counts.succeeded++
    if (!error && degraded) current.counts.degraded = (current.counts.degraded ?? 0) + 1
  }

  dropped(): void {
    this.current.counts.dropped++
  }

  budgetExhausted(): void {
    this.current.counts.budgetExhausted++
  }
}

export class RunRecorder {
  private readonly totals = new Map<string, SeriesAccumulator>()
  private readonly phases = new Map<string, Map<string, SeriesAccumulator>>()
  /** By phase, then series name: two lookups with the caller's strings, no key built per request. */
  private readonly handles = new Map<string, Map<string, SeriesHandle>>()
  readonly intervals: IntervalData[] = []
  private readonly sendLag = new TimingHistogram()
  private intervalStart = 0
  private offered = 0
  private sent = 0

  series(name: string, phase: string): SeriesHandle {
    let inPhase = this.handles.get(phase)
    if (!inPhase) {
      inPhase = new Map()
      this.handles.set(phase, inPhase)
      this.phases.set(phase, new Map())
    }
    let handle = inPhase.get(name)
    if (!handle) {
      handle = new SeriesHandle(name, getOrAdd(this.phases.get(phase)!, name), getOrAdd(this.totals, name))
      inPhase.set(name, handle)
    }
    return handle
  }

  /** An original request the schedule asked for (sent or not). */
  offer(): void {
    this.offered++
  }

  /** Any attempt leaving, `lagMs` after its intended start. */
  sendAt(lagMs: number): void {
    this.sent++
    this.sendLag.record(lagMs)
  }

  /** Closes the current interval at `nowMs` (ms since the start) and starts the next. */
  closeInterval(nowMs: number, inFlight: number): IntervalData {
    const touched = new Map<string, SeriesHandle[]>()
    for (const handle of [...this.handles.values()].flatMap((inPhase) => [...inPhase.values()])) {
      if (!handle.current.touched()) continue
      const same = touched.get(handle.name)
      if (same) same.push(handle)
      else touched.set(handle.name, [handle])
    }
    const series: Record<string, SeriesData> = {}
    for (const [name, handles] of touched) {
      // An interval that spans a phase change holds a series in two phases: one entry for both.
      let interval = handles[0]!.current
      if (handles.length > 1) {
        interval = new SeriesAccumulator()
        for (const handle of handles) handle.current.addTo(interval)
      }
      series[name] = interval.toData()
      for (const handle of handles) {
        handle.current.addTo(handle.phaseTotal)
        handle.current.addTo(handle.runTotal)
        handle.current.reset()
      }
    }
    const interval: IntervalData = {
      startMs: this.intervalStart,
      durationMs: nowMs - this.intervalStart,
      offered: this.offered,
      sent: this.sent,
      inFlight,
      series,
    }
    const empty = Object.keys(series).length === 0 && this.offered === 0 && this.sent === 0
    if (!(empty && interval.durationMs < 1)) this.intervals.push(interval)
    this.intervalStart = nowMs
    this.offered = 0
    this.sent = 0
    return interval
  }

  totalsData(): Record<string, SeriesData> {
    return Object.fromEntries([...this.totals].map(([name, accumulator]) => [name, accumulator.toData()]))
  }

  phasesData(): Record<string, Record<string, SeriesData>> {
    return Object.fromEntries(
      [...this.phases].map(([phase, map]) => [
        phase,
        Object.fromEntries([...map].map(([name, accumulator]) => [name, accumulator.toData()])),
      ]),
    )
  }

  sendLagSummary(): LatencySummary {
    return this.sendLag.summary()
  }
}

function getOrAdd(map: Map<string, SeriesAccumulator>, name: string): SeriesAccumulator {
  let accumulator = map.get(name)
  if (!accumulator) {
    accumulator = new SeriesAccumulator()
    map.set(name, accumulator)
  }
  return accumulator
}
