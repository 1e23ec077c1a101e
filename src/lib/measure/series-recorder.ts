// Recording of one run: every value goes to three places at once — the run's total for its series,
// the total of its phase, and the current interval — so per-endpoint, per-phase and per-interval
// histograms come out of one pass. Intervals are encoded and their histograms reset when they
// close, so memory does not grow with the number of requests.
import {emptyErrorCounts, type ErrorClass} from './outcome.js'
import {TimingHistogram, type LatencySummary} from './histogram.js'
import type {IntervalData, SeriesCounts, SeriesData} from './run-data.js'

export function emptySeriesCounts(): SeriesCounts {
  return {requests: 0, succeeded: 0, failed: emptyErrorCounts(), attempts: 0, retries: 0, attemptErrors: emptyErrorCounts(), late: 0, dropped: 0, budgetExhausted: 0}
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
}

/** Where one (series, phase) pair records: the three accumulators it feeds. */
export class SeriesHandle {
  constructor(private readonly targets: readonly [SeriesAccumulator, SeriesAccumulator, SeriesAccumulator]) {}

  send(isRetry: boolean, late: boolean): void {
    for (const target of this.targets) {
      target.counts.attempts++
      if (isRetry) target.counts.retries++
      if (late) target.counts.late++
    }
  }

  attempt(serviceMs: number, error: ErrorClass | undefined): void {
    for (const target of this.targets) {
      target.service.record(serviceMs)
      if (error) target.counts.attemptErrors[error]++
    }
  }

  /** The final outcome of an original request, with its latency from its first intended start. */
  outcome(latencyMs: number, error: ErrorClass | undefined): void {
    for (const target of this.targets) {
      target.latency.record(latencyMs)
      target.counts.requests++
      if (error) target.counts.failed[error]++
      else target.counts.succeeded++
    }
  }

  dropped(): void {
    for (const target of this.targets) target.counts.dropped++
  }

  budgetExhausted(): void {
    for (const target of this.targets) target.counts.budgetExhausted++
  }
}

export class RunRecorder {
  private readonly totals = new Map<string, SeriesAccumulator>()
  private readonly phases = new Map<string, Map<string, SeriesAccumulator>>()
  private readonly current = new Map<string, SeriesAccumulator>()
  private readonly handles = new Map<string, SeriesHandle>()
  readonly intervals: IntervalData[] = []
  private readonly sendLag = new TimingHistogram()
  private intervalStart = 0
  private offered = 0
  private sent = 0

  series(name: string, phase: string): SeriesHandle {
    const key = `${phase}\u0000${name}`
    let handle = this.handles.get(key)
    if (!handle) {
      const phaseMap = this.phases.get(phase) ?? new Map<string, SeriesAccumulator>()
      this.phases.set(phase, phaseMap)
      handle = new SeriesHandle([getOrAdd(this.totals, name), getOrAdd(phaseMap, name), getOrAdd(this.current, name)])
      this.handles.set(key, handle)
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
    const series: Record<string, SeriesData> = {}
    for (const [name, accumulator] of this.current) {
      if (!accumulator.touched()) continue
      series[name] = accumulator.toData()
      accumulator.reset()
    }
    const interval: IntervalData = {startMs: this.intervalStart, durationMs: nowMs - this.intervalStart, offered: this.offered, sent: this.sent, inFlight, series}
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
    return Object.fromEntries([...this.phases].map(([phase, map]) => [phase, Object.fromEntries([...map].map(([name, accumulator]) => [name, accumulator.toData()]))]))
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
