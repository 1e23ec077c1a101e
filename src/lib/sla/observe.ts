// What a run observed for one SLA target: a series' latency percentile or error rate, a run-wide
// figure (errors, dropped, late, retries, amplification, goodput), or a quota invariant. Latencies
// come from the merged histogram, so a percentile is exact to HDR precision, never an average of
// interval percentiles. A dropped original (never sent: the in-flight cap with whenCapped: drop) is
// a failed request in every rate and a request that never answered in every latency: it counts as
// slower than any threshold, so a run that sheds load cannot show a clean p99.
import {decodeHistogram, type Histogram} from '../measure/histogram.js'
import {
  E2E_SERIES,
  failures,
  originalRequests,
  type SeriesCounts,
  type SeriesData,
  type VariantData,
} from '../measure/run-data.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import type {Threshold} from './threshold.js'

export interface Observation {
  /** Infinity when dropped requests are the answer (a percentile above every recorded sample). */
  value: number
  unit: 'ms' | 'ratio' | 'number'
  /** What the figure was computed from: recorded requests plus dropped ones. */
  samples?: number
  dropped?: number
}

/** undefined: the run has no data for the metric (no such series, no requests, no quota accounting). */
export function observe(
  metric: string,
  threshold: Threshold,
  variant: VariantData,
  quota: QuotaAccounting | undefined,
): Observation | undefined {
  const kind = threshold.aggregate.kind
  if (metric.startsWith('quota.')) {
    if (!quota) return undefined
    const invariants = quota.invariants as unknown as Record<string, number>
    const key = metric.slice('quota.'.length)
    const samples = quota.totals.admitted
    if (key === 'estimate_error')
      return samples === 0 ? undefined : {value: quota.totals.estimateError, unit: 'ratio', samples}
    // An invariant holds over what was admitted; with nothing admitted it still says no request slipped past a quota.
    return key in invariants ? {value: invariants[key]!, unit: 'number', samples} : undefined
  }
  const series = variant.totals[metric]
  if (series) return observeSeries(series, threshold)
  // e2e repeats the generates' originals (and drops): counted once, under their own series.
  const counted = Object.entries(variant.totals)
    .filter(([name]) => name !== E2E_SERIES)
    .map(([, data]) => data.counts)
  const sum = (pick: (counts: SeriesCounts) => number) => counted.reduce((total, counts) => total + pick(counts), 0)
  const requests = sum((c) => c.requests)
  const dropped = sum((c) => c.dropped)
  if (requests + dropped === 0) return undefined
  // The error rate is the user's: of the requests they asked for (not a generate's status polls),
  // those that failed, a generate that was accepted but failed in the end included.
  const originals = originalRequests(variant.totals)
  const ratioOrCount = (part: number, whole: number): Observation | undefined =>
    kind === 'count' || kind === 'value'
      ? {value: part, unit: 'number', samples: whole}
      : whole === 0
        ? undefined
        : {value: part / whole, unit: 'ratio', samples: whole}
  switch (metric) {
    case 'errors':
    case 'error_rate':
      return ratioOrCount(originals.failed + originals.dropped, originals.originals + originals.dropped)
    case 'dropped':
      return ratioOrCount(dropped, requests + dropped)
    case 'late':
      return ratioOrCount(
        sum((c) => c.late),
        sum((c) => c.attempts),
      )
    case 'retries':
      return ratioOrCount(
        sum((c) => c.retries),
        sum((c) => c.attempts),
      )
    case 'amplification':
      return {value: variant.amplification, unit: 'number', samples: requests}
    case 'goodput':
      return {value: variant.goodput, unit: 'number', samples: requests}
    default:
      return undefined
  }
}

function observeSeries(series: SeriesData, threshold: Threshold): Observation | undefined {
  const {aggregate} = threshold
  const {requests, dropped} = series.counts
  const samples = requests + dropped
  if (samples === 0) return undefined
  const latency = series.latency
  const withDrops = (value: number): Observation => ({
    value: dropped > 0 ? Number.POSITIVE_INFINITY : value,
    unit: 'ms',
    samples,
    dropped,
  })
  switch (aggregate.kind) {
    case 'percentile':
      return {value: samplesOf(series).percentile(aggregate.p), unit: 'ms', samples, dropped}
    case 'med':
      return {value: samplesOf(series).percentile(50), unit: 'ms', samples, dropped}
    case 'avg':
      return withDrops(latency.mean)
    case 'max':
      return withDrops(latency.max)
    case 'min':
      return requests === 0 ? withDrops(0) : {value: latency.min, unit: 'ms', samples, dropped}
    case 'rate':
      return {value: (failures(series.counts) + dropped) / samples, unit: 'ratio', samples, dropped}
    case 'count':
    case 'value':
      return {value: failures(series.counts) + dropped, unit: 'number', samples, dropped}
  }
}

const decoded = new WeakMap<SeriesData, SortedSamples>()

/** A series' samples, decoded once however many targets (and their intervals) read them. */
export function samplesOf(series: SeriesData): SortedSamples {
  let sorted = decoded.get(series)
  if (!sorted)
    decoded.set(series, (sorted = new SortedSamples(decodeHistogram(series.latencyHistogram), series.counts.dropped)))
  return sorted
}

/** A series' latencies in order, in milliseconds: the recorded ones, then the dropped ones as +Infinity. */
export class SortedSamples {
  readonly count: number

  constructor(
    private readonly histogram: Histogram,
    private readonly dropped: number,
  ) {
    this.count = histogram.totalCount + dropped
  }

  /** The k-th smallest (1-based), as the upper end of its HDR bucket, or its lower end with `lowest`. */
  atRank(k: number, options: {lowest?: boolean} = {}): number {
    const recorded = this.histogram.totalCount
    if (k > recorded) return Number.POSITIVE_INFINITY
    // Half a rank below k: HdrHistogram rounds the count up (less one ulp), which lands on k exactly.
    const us = this.histogram.getValueAtPercentile((100 * (Math.max(1, k) - 0.5)) / recorded)
    return (options.lowest ? lowestEquivalent(this.histogram, us) : us) / 1000
  }

  /** The value at percentile p, the nearest-rank way (as HdrHistogram computes it). */
  percentile(p: number): number {
    return this.atRank(Math.max(1, Math.ceil((p / 100) * this.count - 1e-9)))
  }

  /** How many samples are below `ms` (or at or below it, with `inclusive`). */
  countBelow(ms: number, inclusive: boolean): number {
    const below = (k: number) => (inclusive ? this.atRank(k, {lowest: true}) <= ms : this.atRank(k) < ms)
    let low = 0
    let high = this.histogram.totalCount
    while (low < high) {
      const mid = Math.ceil((low + high) / 2)
      if (below(mid)) low = mid
      else high = mid - 1
    }
    return low
  }
}

/** The lowest value HdrHistogram counts as equal to `us` (the JS histogram has it; its type does not say so). */
function lowestEquivalent(histogram: Histogram, us: number): number {
  const withBucketEdges = histogram as Histogram & {lowestEquivalentValue?: (value: number) => number}
  return withBucketEdges.lowestEquivalentValue ? withBucketEdges.lowestEquivalentValue(us) : us
}
