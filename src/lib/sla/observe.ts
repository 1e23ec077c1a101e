// What a run observed for one SLA target: a series' latency percentile or error rate, a run-wide
// figure (errors, dropped, late, retries, amplification, goodput), or a quota invariant. Latencies
// come from the merged histogram, so a percentile is exact to HDR precision, never an average of
// interval percentiles.
import {decodeHistogram} from '../measure/histogram.js'
import {ERROR_CLASSES} from '../measure/outcome.js'
import type {SeriesCounts, SeriesData, VariantData} from '../measure/run-data.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import type {Threshold} from './threshold.js'

export interface Observation {
  value: number
  unit: 'ms' | 'ratio' | 'number'
}

/** The run-wide figures a target can name besides a series (endpoint) name. */
export const RUN_METRICS = ['errors', 'dropped', 'late', 'retries', 'amplification', 'goodput'] as const
export const QUOTA_METRICS = ['quota.drift', 'quota.over_admitted', 'quota.open_reservations', 'quota.double_charged', 'quota.estimate_error'] as const

const failedOf = (counts: SeriesCounts) => ERROR_CLASSES.reduce((sum, name) => sum + counts.failed[name], 0)

/** undefined: the run has no data for the metric (e.g. no generate requests, no quota accounting). */
export function observe(metric: string, threshold: Threshold, variant: VariantData, quota: QuotaAccounting | undefined): Observation | undefined {
  const kind = threshold.aggregate.kind
  if (metric.startsWith('quota.')) {
    if (!quota) return undefined
    const invariants = quota.invariants as unknown as Record<string, number>
    const key = metric.slice('quota.'.length)
    if (key === 'estimate_error') return {value: quota.totals.estimateError, unit: 'ratio'}
    return key in invariants ? {value: invariants[key]!, unit: 'number'} : undefined
  }
  const series = variant.totals[metric]
  if (series) return observeSeries(series, threshold)
  const counted = Object.entries(variant.totals).filter(([name]) => name !== 'e2e').map(([, data]) => data.counts)
  if (counted.length === 0) return undefined
  const sum = (pick: (counts: SeriesCounts) => number) => counted.reduce((total, counts) => total + pick(counts), 0)
  const requests = sum((c) => c.requests)
  const ratioOrCount = (part: number, whole: number): Observation => (kind === 'count' || kind === 'value' ? {value: part, unit: 'number'} : {value: whole === 0 ? 0 : part / whole, unit: 'ratio'})
  switch (metric) {
    case 'errors':
      return ratioOrCount(sum(failedOf), requests)
    case 'dropped':
      return ratioOrCount(sum((c) => c.dropped), requests + sum((c) => c.dropped))
    case 'late':
      return ratioOrCount(sum((c) => c.late), sum((c) => c.attempts))
    case 'retries':
      return ratioOrCount(sum((c) => c.retries), sum((c) => c.attempts))
    case 'amplification':
      return {value: variant.amplification, unit: 'number'}
    case 'goodput':
      return {value: variant.goodput, unit: 'number'}
    default:
      return undefined
  }
}

function observeSeries(series: SeriesData, threshold: Threshold): Observation {
  const {aggregate} = threshold
  const latency = series.latency
  switch (aggregate.kind) {
    case 'percentile':
      return {value: decodeHistogram(series.latencyHistogram).getValueAtPercentile(aggregate.p) / 1000, unit: 'ms'}
    case 'avg':
      return {value: latency.mean, unit: 'ms'}
    case 'min':
      return {value: latency.min, unit: 'ms'}
    case 'max':
      return {value: latency.max, unit: 'ms'}
    case 'med':
      return {value: latency.p50, unit: 'ms'}
    case 'rate':
      return {value: series.counts.requests === 0 ? 0 : failedOf(series.counts) / series.counts.requests, unit: 'ratio'}
    case 'count':
    case 'value':
      return {value: failedOf(series.counts), unit: 'number'}
  }
}
