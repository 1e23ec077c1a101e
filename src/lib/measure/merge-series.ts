// Lossless merging of measured series: counts add up and HdrHistograms add bucket by bucket, so the
// percentiles of a merge are those of one histogram that had recorded every value. Used for shard
// merges and for the running totals an abortOnFail target is checked against.
import {decodeHistogram, encodeHistogram, summariseHistogram, type LatencySummary} from './histogram.js'
import type {ErrorCounts} from './outcome.js'
import type {SeriesCounts, SeriesData} from './run-data.js'

export function mergeSeries(a: SeriesData, b: SeriesData): SeriesData {
  return {
    counts: addCounts(a.counts, b.counts),
    ...mergeHistogram('latency', a.latencyHistogram, b.latencyHistogram, a.latency, b.latency),
    ...mergeHistogram('service', a.serviceHistogram, b.serviceHistogram, a.service, b.service),
  } as SeriesData
}

export function mergeSeriesMaps(
  into: Record<string, SeriesData>,
  from: Record<string, SeriesData>,
): Record<string, SeriesData> {
  const merged = {...into}
  for (const [name, series] of Object.entries(from))
    merged[name] = merged[name] ? mergeSeries(merged[name], series) : series
  return merged
}

function mergeHistogram(
  kind: 'latency' | 'service',
  encodedA: string,
  encodedB: string,
  summaryA: LatencySummary,
  summaryB: LatencySummary,
) {
  const histogram = decodeHistogram(encodedA)
  histogram.add(decodeHistogram(encodedB))
  const sumMs = summaryA.mean * summaryA.count + summaryB.mean * summaryB.count
  return {[kind]: summariseHistogram(histogram, sumMs), [`${kind}Histogram`]: encodeHistogram(histogram)}
}

function addCounts(a: SeriesCounts, b: SeriesCounts): SeriesCounts {
  return {
    requests: a.requests + b.requests,
    succeeded: a.succeeded + b.succeeded,
    degraded: (a.degraded ?? 0) + (b.degraded ?? 0),
    failed: addErrors(a.failed, b.failed),
    attempts: a.attempts + b.attempts,
    retries: a.retries + b.retries,
    attemptErrors: addErrors(a.attemptErrors, b.attemptErrors),
    late: a.late + b.late,
    dropped: a.dropped + b.dropped,
    budgetExhausted: a.budgetExhausted + b.budgetExhausted,
  }
}

function addErrors(a: ErrorCounts, b: ErrorCounts): ErrorCounts {
  return Object.fromEntries(
    Object.keys(a).map((key) => [key, a[key as keyof ErrorCounts] + b[key as keyof ErrorCounts]]),
  ) as ErrorCounts
}
