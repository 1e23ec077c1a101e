// The charts of the HTML report, computed from a run record's intervals and histograms.
import {decodeHistogram} from '../../measure/histogram.js'
import {ERROR_CLASSES} from '../../measure/outcome.js'
import type {VariantData} from '../../measure/run-data.js'
import type {QuotaAccounting} from '../../quota/accounting.js'
import {barChart, lineChart, type LineSeries} from './svg-chart.js'

const seconds = (ms: number) => ms / 1000

function markers(variant: VariantData) {
  return variant.timeline.map((event) => ({x: seconds(event.firedAtMs), label: event.action}))
}

/** p50/p90/p99 of each series per interval, with the timeline's events marked. */
export function latencyOverTime(variant: VariantData, prefix: string): string[] {
  return Object.keys(variant.totals).map((name) => {
    const pick = (key: 'p50' | 'p90' | 'p99'): LineSeries => ({
      name: key,
      dashed: key !== 'p99',
      points: variant.intervals.filter((interval) => interval.series[name]?.latency.count).map((interval) => [seconds(interval.startMs + interval.durationMs), interval.series[name]!.latency[key]]),
    })
    return lineChart({id: `${prefix}latency-${name}`, title: `${name}: latency percentiles over time`, xLabel: 'seconds since start', yLabel: 'ms', series: [pick('p99'), pick('p90'), pick('p50')], markers: markers(variant)})
  })
}

const SPECTRUM = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999]

/** The whole latency distribution: value at percentile, on the usual 1/(1−p) axis. */
export function percentileSpectrum(variant: VariantData, prefix: string): string {
  const x = (p: number) => -Math.log10(1 - p)
  const series = Object.entries(variant.totals)
    .filter(([, data]) => data.latency.count > 0)
    .map(([name, data]): LineSeries => {
      const histogram = decodeHistogram(data.latencyHistogram)
      const points = SPECTRUM.filter((p) => p <= 1 - 1 / Math.max(histogram.totalCount, 1) || p === 0).map((p): [number, number] => [x(p), histogram.getValueAtPercentile(p * 100) / 1000])
      return {name, points}
    })
  const ticks = [0, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999].map((p) => ({x: x(p), label: `${Number((p * 100).toPrecision(6))}%`}))
  return lineChart({id: `${prefix}spectrum`, title: 'Percentile spectrum', xLabel: 'percentile', yLabel: 'ms', series, xTicks: ticks})
}

export function throughputAndErrors(variant: VariantData, prefix: string): string {
  const perSecond = (pick: (interval: VariantData['intervals'][number]) => number): Array<[number, number]> =>
    variant.intervals.map((interval) => [seconds(interval.startMs + interval.durationMs), pick(interval) / Math.max(seconds(interval.durationMs), 0.001)])
  const errors = (interval: VariantData['intervals'][number], classes: readonly string[]) =>
    Object.values(interval.series).reduce((sum, series) => sum + classes.reduce((total, name) => total + series.counts.attemptErrors[name as keyof typeof series.counts.attemptErrors], 0), 0)
  return lineChart({
    id: `${prefix}throughput`,
    title: 'Throughput and errors',
    xLabel: 'seconds since start',
    yLabel: 'per second',
    markers: markers(variant),
    series: [
      {name: 'offered', points: perSecond((interval) => interval.offered), dashed: true},
      {name: 'sent', points: perSecond((interval) => interval.sent)},
      {name: 'errors', points: perSecond((interval) => errors(interval, ERROR_CLASSES.filter((name) => name !== 'http429')))},
      {name: '429', points: perSecond((interval) => errors(interval, ['http429']))},
    ],
  })
}

export function retriesAndAmplification(variant: VariantData, prefix: string): string {
  const at = (interval: VariantData['intervals'][number]) => seconds(interval.startMs + interval.durationMs)
  const sum = (interval: VariantData['intervals'][number], key: 'retries' | 'attempts' | 'requests') => Object.entries(interval.series).filter(([name]) => name !== 'e2e').reduce((total, [, series]) => total + series.counts[key], 0)
  return lineChart({
    id: `${prefix}retries`,
    title: 'Retries and amplification',
    xLabel: 'seconds since start',
    yLabel: 'retries/s · attempts per request',
    markers: markers(variant),
    series: [
      {name: 'retries/s', points: variant.intervals.map((interval) => [at(interval), sum(interval, 'retries') / Math.max(seconds(interval.durationMs), 0.001)])},
      {name: 'amplification', points: variant.intervals.filter((interval) => sum(interval, 'requests') > 0).map((interval) => [at(interval), sum(interval, 'attempts') / sum(interval, 'requests')])},
    ],
  })
}

/** Each scraped server figure over time (up to eight, the ones that moved first). */
export function serverGauges(variant: VariantData, prefix: string): string {
  const keys = [...new Set(variant.gauges.flatMap((sample) => Object.keys(sample.values)))]
  const moved = keys.filter((key) => new Set(variant.gauges.map((sample) => sample.values[key])).size > 1)
  const chosen = [...moved, ...keys.filter((key) => !moved.includes(key))].slice(0, 8)
  return lineChart({
    id: `${prefix}gauges`,
    title: 'Server gauges',
    xLabel: 'seconds since start',
    yLabel: 'value',
    markers: markers(variant),
    series: chosen.map((key) => ({name: key, points: variant.gauges.filter((sample) => sample.values[key] !== undefined).map((sample): [number, number] => [seconds(sample.atMs), sample.values[key]!])})),
  })
}

export function quotaCharts(quota: QuotaAccounting): string {
  return [
    barChart({id: 'quota-requests', title: 'Quota: admitted requests per tier', unit: 'requests', bars: quota.tiers.map((tier) => ({group: tier.tier, label: 'admitted', value: tier.admitted}))}),
    barChart({
      id: 'quota-tokens',
      title: 'Quota: tokens per tier',
      unit: 'tokens',
      bars: quota.tiers.flatMap((tier) => [
        {group: tier.tier, label: 'estimated', value: tier.estimatedTokens},
        {group: tier.tier, label: 'used', value: tier.usedTokens},
        {group: tier.tier, label: 'refunded', value: tier.refundedTokens},
      ]),
    }),
  ].join('\n')
}
