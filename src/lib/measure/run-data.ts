// The measured data of a bench run, in a typed, serialisable shape: what `bench` writes to
// `--out`, and what the run record and report renderers (src/lib/report) are built from.
// Histograms are HdrHistogram compressed base64 (microseconds), so nothing is lost in merging.
import type {GaugeSample} from './gauge-scraper.js'
import type {LatencySummary} from './histogram.js'
import type {ErrorCounts} from './outcome.js'

export const LOAD_DATA_VERSION = 1

/** The series a polled request adds: its status polls, and its time from intended start to a terminal status. */
export const STATUS_SERIES = 'status'
export const E2E_SERIES = 'e2e'
export const POLL_SERIES = [STATUS_SERIES, E2E_SERIES] as const

/** Counters of one series (an endpoint/metric) over some span of time. */
export interface SeriesCounts {
  /** Original requests whose outcome is known (each counted once, however many attempts). */
  requests: number
  /** Originals that ended in success. */
  succeeded: number
  /** Of the successes, those answered by a fallback (`"degraded": true`): degraded, not failed. */
  degraded?: number
  /** Originals that ended in failure, by the class of their last attempt. */
  failed: ErrorCounts
  /** Every attempt sent (originals and retries): the offered load. */
  attempts: number
  retries: number
  /** Attempts that failed, by class (a retried timeout is counted here, not in `failed`). */
  attemptErrors: ErrorCounts
  /** Sends that left later than `lateAfterMs` after their intended start. */
  late: number
  /** Requests never sent because the in-flight cap was reached (whenCapped: drop). */
  dropped: number
  /** Retries that the retry budget refused. */
  budgetExhausted: number
}

export interface SeriesData {
  counts: SeriesCounts
  /** Latency of each original, from its first intended start to its final outcome. */
  latency: LatencySummary
  /** Service time of each attempt, from its actual send. */
  service: LatencySummary
  latencyHistogram: string
  serviceHistogram: string
}

export interface IntervalData {
  /** ms since the variant started. */
  startMs: number
  durationMs: number
  /** Requests the schedule asked for in this interval, and how many were sent. */
  offered: number
  sent: number
  inFlight: number
  series: Record<string, SeriesData>
}

export interface TimelineRecord {
  /** Planned time, ms since the variant started. */
  atMs: number
  /** When it actually fired. */
  firedAtMs: number
  action: string
  detail?: unknown
  ok: boolean
  status?: number
  error?: string
  response?: unknown
}

export interface VariantData {
  name: string
  description?: string
  startedAt: string
  durationMs: number
  /** Settings this variant ran with (retry policy, timeout, switches). */
  settings: Record<string, unknown>
  totals: Record<string, SeriesData>
  /** The same, per phase (stage) of the curve, keyed by phase then series. */
  phases: Record<string, Record<string, SeriesData>>
  intervals: IntervalData[]
  timeline: TimelineRecord[]
  /** Attempts per original request. */
  amplification: number
  /** Originals that succeeded, per second. */
  goodput: number
  /** When each phase (stage) ran, ms since the variant started, for figures that read server gauges by phase. */
  phaseWindows?: Array<{name: string; startMs: number; endMs: number}>
  /** Send lateness (actual send − intended start), ms: the generator's own jitter. */
  sendLag: LatencySummary
  /**
   * The connection pool (records from before it was sized by Little's law have none): its cap, the
   * most connections it grew to, sends that waited for a connection, and those the cap made late.
   */
  pool?: {cap: number; peak: number; waited: number; cappedLate: number}
  /** Requests still in flight or waiting for a retry or poll when the drain timed out. */
  abandoned: number
  /** True when the run was stopped before its end (Ctrl-C). */
  stoppedEarly: boolean
  /** Server-side figures scraped each interval (empty when nothing was scraped). */
  gauges: GaugeSample[]
}

export interface LoadRunData {
  loadDataVersion: typeof LOAD_DATA_VERSION
  profile: string
  profileFile?: string
  target: string
  model: 'open' | 'closed'
  seed: number
  shard?: {index: number; count: number}
  startedAt: string
  finishedAt: string
  durationMs: number
  variants: VariantData[]
}

/**
 * The original requests of a run's totals: every series but the polls that follow a generate (its
 * status polls are not requests the user asked for, and its e2e repeats it). A generate accepted
 * but failed in the end (its e2e: the LLM failed, polling timed out) failed, though its accept
 * succeeded. Amplification is their attempts per original, goodput their successes per second, the
 * error rate their failures (dropped ones apart) per original.
 */
export function originalRequests(totals: Record<string, SeriesData>): {
  originals: number
  attempts: number
  succeeded: number
  failed: number
  dropped: number
} {
  const sums = {originals: 0, attempts: 0, succeeded: 0, failed: 0, dropped: 0}
  for (const [name, series] of Object.entries(totals)) {
    if ((POLL_SERIES as readonly string[]).includes(name)) continue
    sums.originals += series.counts.requests
    sums.attempts += series.counts.attempts
    sums.succeeded += series.counts.succeeded
    sums.failed += failures(series.counts)
    sums.dropped += series.counts.dropped
  }
  const failedLate = totals[E2E_SERIES] ? failures(totals[E2E_SERIES].counts) : 0
  return {...sums, succeeded: Math.max(0, sums.succeeded - failedLate), failed: sums.failed + failedLate}
}

/** Attempts per original request (1 when nothing was retried), over the run's totals. */
export function amplification(totals: Record<string, SeriesData>): number {
  const {originals, attempts} = originalRequests(totals)
  return originals === 0 ? 0 : attempts / originals
}

/** Originals of a series that failed, whatever the class. */
export function failures(counts: SeriesCounts): number {
  return Object.values(counts.failed).reduce((sum, value) => sum + value, 0)
}
