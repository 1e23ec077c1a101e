// Latency histograms: HdrHistogram (hdr-histogram-js) in microseconds, 3 significant digits, up to
// one hour. They are kept as counts per bucket, never as raw samples, and travel in run records in
// HdrHistogram's compressed base64 form, so shards and intervals merge losslessly.
import * as hdr from 'hdr-histogram-js'

export type Histogram = hdr.Histogram

const HIGHEST_US = 3_600_000_000

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  })
}

/** Records a duration given in milliseconds (fractions allowed). */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(ms * 1000))))
}

/** A histogram with the running sum of what it recorded, for a mean that costs nothing. */
export class TimingHistogram {
  readonly histogram: Histogram = newHistogram()
  sumMs = 0

  record(ms: number): void {
    recordMs(this.histogram, ms)
    this.sumMs += ms
  }

  summary(): LatencySummary {
    return summariseHistogram(this.histogram, this.sumMs)
  }

  encode(): string {
    return encodeHistogram(this.histogram)
  }

  add(other: TimingHistogram): void {
    this.histogram.add(other.histogram)
    this.sumMs += other.sumMs
  }

  reset(): void {
    this.histogram.reset()
    this.sumMs = 0
  }
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram)
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false)
}

/** The percentiles every report shows, in milliseconds. */
export interface LatencySummary {
  count: number
  min: number
  mean: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
  max: number
}

/**
 * The percentiles every report shows. `sumMs`, when the caller tracked it, gives the mean without
 * hdr-histogram-js's `mean`, which walks the histogram with an iterator and blocks the event loop
 * for milliseconds.
 */
export function summariseHistogram(histogram: Histogram, sumMs?: number): LatencySummary {
  const count = histogram.totalCount
  if (count === 0) return {count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0}
  const at = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000
  return {
    count,
    min: histogram.minNonZeroValue / 1000,
    mean: sumMs === undefined ? histogram.mean / 1000 : sumMs / count,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: histogram.maxValue / 1000,
  }
}

/** Every distinct recorded value (µs, bucket-equivalent) with its count, in increasing order. */
export function recordedValues(histogram: Histogram): Array<[number, number]> {
  const iterator = (histogram as hdr.JsHistogram).recordedValuesIterator
  iterator.reset()
  const values: Array<[number, number]> = []
  while (iterator.hasNext()) {
    const step = iterator.next()
    values.push([step.valueIteratedTo, step.countAtValueIteratedTo])
  }
  return values
}
