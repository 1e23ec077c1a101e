// The charts of the HTML report, computed from a run record's intervals and histograms.
import {counterRate, isCounter} from '../../measure/counter-rates.js'
import {decodeHistogram} from '../../measure/histogram.js'
import {ERROR_CLASSES} from '../../measure/outcome.js'
import type {VariantData} from '../../measure/run-data.js'
import type {QuotaAccounting} from '../../quota/accounting.js'
import {formatDuration} from '../../text/duration.js'
import {barChart, lineChart, type LineSeries} from './svg-chart.js'

const seconds = (ms: number) => ms / 1000
/** A latency axis' tick: "0", "500us", "25ms", "1.5s". */
const latencyTick = (ms: number) => (ms === 0 ? '0' : formatDuration(ms))

function markers(variant: VariantData) {
  return variant.timeline.map((event) => ({x: seconds(event.firedAtMs), label: event.action}))
}

/** p50/p90/p99 of each series per interval, with the timeline's events marked. */
export function latencyOverTime(variant: VariantData, prefix: string): string[] {
  return Object.keys(variant.totals).map((name) => {
    const pick = (key: 'p50' | 'p90' | 'p99'): LineSeries => ({
      name: key,
      dashed: key !== 'p99',
      points: variant.intervals
        .filter((interval) => interval.series[name]?.latency.count)
        .map((interval) => [seconds(interval.startMs + interval.durationMs), interval.series[name]!.latency[key]]),
    })
    return lineChart({
      id: `${prefix}latency-${name}`,
      title: `${name}: latency percentiles over time`,
      xLabel: 'seconds since start',
      yLabel: 'latency',
      formatY: latencyTick,
      series: [pick('p99'), pick('p90'), pick('p50')],
      markers: markers(variant),
    })
  })
}

const SPECTRUM = [
  0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9975, 0.999, 0.9995, 0.99975, 0.9999, 0.99995, 0.99999, 0.999995,
  0.999999,
]
const NINES = [0, 0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999]

/**
 * The whole latency distribution of each series, as HdrHistogram plots it: x is 1/(1−p) on a log
 * scale, so every further nine (90%, 99%, 99.9%) is as wide as the one before and the tail is as
 * wide as the body. y is on a log scale too: the series of one run sit decades apart (a 10 ms
 * accept next to a 2 s end-to-end), and on a linear axis all but the slowest lie flat at 0. One
 * chart with a log y keeps them comparable at a glance (which is slower, where tails cross), which
 * one small chart per series, each on its own scale, would not.
 */
export function percentileSpectrum(variant: VariantData, prefix: string): string {
  const x = (p: number) => 1 / (1 - p)
  const series = Object.entries(variant.totals)
    .filter(([, data]) => data.latency.count > 0)
    .map(([name, data]): LineSeries => {
      const histogram = decodeHistogram(data.latencyHistogram)
      // A percentile means something once there are about 1/(1−p) samples; the slowest sample ends the line, at rank n of n.
      const last = 1 - 1 / histogram.totalCount
      const points = SPECTRUM.filter((p) => p < last).map((p): [number, number] => [
        x(p),
        histogram.getValueAtPercentile(p * 100) / 1000,
      ])
      return {name, points: [...points, [x(last), histogram.getValueAtPercentile(100) / 1000]]}
    })
  const ticks = NINES.map((p) => ({x: x(p), label: `${Number((p * 100).toPrecision(6))}%`}))
  return lineChart({
    id: `${prefix}spectrum`,
    title: 'Percentile spectrum',
    xLabel: 'percentile',
    yLabel: 'latency',
    series,
    xTicks: ticks,
    xScale: 'log',
    yScale: 'log',
    formatY: latencyTick,
    caption:
      'Latency at each percentile of the whole run. Both axes are logarithmic: each further nine gets the same width, each tenfold of latency the same height, so a slow series does not flatten the fast ones. A line ends at its slowest request.',
  })
}

export function throughputAndErrors(variant: VariantData, prefix: string): string {
  const perSecond = (pick: (interval: VariantData['intervals'][number]) => number): Array<[number, number]> =>
    variant.intervals.map((interval) => [
      seconds(interval.startMs + interval.durationMs),
      pick(interval) / Math.max(seconds(interval.durationMs), 0.001),
    ])
  const errors = (interval: VariantData['intervals'][number], classes: readonly string[]) =>
    Object.values(interval.series).reduce(
      (sum, series) =>
        sum +
        classes.reduce(
          (total, name) => total + series.counts.attemptErrors[name as keyof typeof series.counts.attemptErrors],
          0,
        ),
      0,
    )
  return lineChart({
    id: `${prefix}throughput`,
    title: 'Throughput and errors',
    xLabel: 'seconds since start',
    yLabel: 'per second',
    markers: markers(variant),
    caption:
      'offered: the original requests the arrival curve asked for. sent: every request that went out — originals, their retries and status polls — so it runs above offered. errors and 429: failed attempts.',
    series: [
      {name: 'offered', points: perSecond((interval) => interval.offered), dashed: true},
      {name: 'sent', points: perSecond((interval) => interval.sent)},
      {
        name: 'errors',
        points: perSecond((interval) =>
          errors(
            interval,
            ERROR_CLASSES.filter((name) => name !== 'http429'),
          ),
        ),
      },
      {name: '429', points: perSecond((interval) => errors(interval, ['http429']))},
    ],
  })
}

export function retriesAndAmplification(variant: VariantData, prefix: string): string {
  const at = (interval: VariantData['intervals'][number]) => seconds(interval.startMs + interval.durationMs)
  const sum = (interval: VariantData['intervals'][number], key: 'retries' | 'attempts' | 'requests') =>
    Object.entries(interval.series)
      .filter(([name]) => name !== 'e2e')
      .reduce((total, [, series]) => total + series.counts[key], 0)
  return lineChart({
    id: `${prefix}retries`,
    title: 'Retries and amplification',
    xLabel: 'seconds since start',
    yLabel: 'retries/s · attempts per request',
    markers: markers(variant),
    series: [
      {
        name: 'retries/s',
        points: variant.intervals.map((interval) => [
          at(interval),
          sum(interval, 'retries') / Math.max(seconds(interval.durationMs), 0.001),
        ]),
      },
      {
        name: 'amplification',
        points: variant.intervals
          .filter((interval) => sum(interval, 'requests') > 0)
          .map((interval) => [at(interval), sum(interval, 'attempts') / sum(interval, 'requests')]),
      },
    ],
  })
}

/**
 * The scraped server figures over time: counters (names ending `_total`) as per-second rates in one
 * panel, gauges as scraped in another; up to eight each, the ones that moved first. A panel with
 * nothing to show is left out; with no figures at all, the gauges panel says so.
 */
export function serverFigures(variant: VariantData, prefix: string): string[] {
  const keys = [...new Set(variant.gauges.flatMap((sample) => Object.keys(sample.values)))]
  const counters = keys.filter(isCounter)
  const gauges = keys.filter((key) => !isCounter(key))
  const panels: string[] = []
  if (counters.length > 0) {
    panels.push(
      lineChart({
        id: `${prefix}counters`,
        title: 'Server counters, per second',
        xLabel: 'seconds since start',
        yLabel: 'per second',
        markers: markers(variant),
        caption:
          'Counters only grow, so each is shown as its rate: its increase between two scrapes ÷ the seconds between them (a counter that dropped, its process restarted, counts from 0).',
        series: firstThatMove(
          counters.map((key) => ({
            name: `${key} /s`,
            points: counterRate(variant.gauges, key).map((rate): [number, number] => [
              seconds(rate.atMs),
              rate.perSecond,
            ]),
          })),
          (values) => values.some((value) => value > 0),
        ),
      }),
    )
  }
  if (gauges.length > 0 || counters.length === 0) {
    panels.push(
      lineChart({
        id: `${prefix}gauges`,
        title: 'Server gauges',
        xLabel: 'seconds since start',
        yLabel: 'value',
        markers: markers(variant),
        series: firstThatMove(
          gauges.map((key) => gaugeLine(variant, key)),
          (values) => new Set(values).size > 1,
        ),
      }),
    )
  }
  return panels
}

/** A scraped gauge over time, as scraped. */
function gaugeLine(variant: VariantData, key: string, name = key): LineSeries {
  return {
    name,
    points: variant.gauges
      .filter((sample) => sample.values[key] !== undefined)
      .map((sample): [number, number] => [seconds(sample.atMs), sample.values[key]!]),
  }
}

/** Up to eight series, those whose values `moved` first. */
function firstThatMove(series: LineSeries[], moved: (values: number[]) => boolean): LineSeries[] {
  const moving = series.filter((line) => moved(line.points.map(([, y]) => y)))
  return [...moving, ...series.filter((line) => !moving.includes(line))].slice(0, 8)
}

export function quotaCharts(quota: QuotaAccounting): string {
  return [
    barChart({
      id: 'quota-requests',
      title: 'Quota: admitted requests per tier',
      unit: 'requests',
      bars: quota.tiers.map((tier) => ({group: tier.tier, label: 'admitted', value: tier.admitted})),
    }),
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

/**
 * The cascade on one time axis: the timeline's events (the content drop, the LLM slowdown) marked
 * beside the server figures that show it propagating: the cache hit rate, vector searches in
 * flight, the recommender's and the inference queue, LLM 429s per second and the breaker's state.
 * Left out when the run had no timeline event (no trigger) or scraped none of them.
 */
export function cascade(variant: VariantData, prefix: string): string[] {
  if (variant.timeline.length === 0) return []
  const hits = counterRate(variant.gauges, 'cache_hits_total')
  const misses = counterRate(variant.gauges, 'cache_misses_total')
  const hitRate: LineSeries = {
    name: 'cache hit rate %',
    points: hits.flatMap((hit, index): Array<[number, number]> => {
      const total = hit.perSecond + (misses[index]?.perSecond ?? 0)
      return total > 0 ? [[seconds(hit.atMs), (100 * hit.perSecond) / total]] : []
    }),
  }
  const breakers = [
    ...new Set(
      variant.gauges.flatMap((sample) => Object.keys(sample.values).filter((key) => key.startsWith('breaker_state.'))),
    ),
  ]
  const series = [
    hitRate,
    gaugeLine(variant, 'queue_depth.vector-search', 'vector searches in flight'),
    gaugeLine(variant, 'queue_depth.recommender', 'recommender queue'),
    gaugeLine(variant, 'queue_depth.inference_requests', 'inference queue'),
    {
      name: 'LLM 429s /s',
      points: counterRate(variant.gauges, 'llm_rate_limited_total').map((rate): [number, number] => [
        seconds(rate.atMs),
        rate.perSecond,
      ]),
    },
    ...breakers.map((key) =>
      gaugeLine(variant, key, `${key.replace('breaker_state.', 'breaker ')} (0 closed, 1 half-open, 2 open)`),
    ),
  ].filter((line) => line.points.some(([, y]) => y > 0))
  if (series.length === 0) return []
  return [
    lineChart({
      id: `${prefix}cascade`,
      title: 'The cascade: what happened, and how it spread',
      xLabel: 'seconds since start',
      yLabel: 'value',
      markers: markers(variant),
      caption:
        'The timeline events are marked on the time axis; each line is a server figure scraped every interval, so a cascade reads left to right: the trigger, then the hit rate falling, the searches and the queues growing, the LLM answering 429 and the breaker opening.',
      series,
    }),
  ]
}
