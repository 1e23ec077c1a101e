// "Published vs reproduced": for a run calibrated to StreamFlow (its profiles say
// `calibration: streamflow`), the design's published figures (PRODUCT.md §1) beside what each
// variant measured, so a report says how close the reproduction came and what the intervention
// changed. Each figure is read from the run record alone: client series by phase or time window,
// server gauges scraped each interval. A figure with no data in any variant is left out.
import {mergeSeries} from '../measure/merge-series.js'
import {counterRate} from '../measure/counter-rates.js'
import type {GaugeSample} from '../measure/gauge-scraper.js'
import {
  originalRequests,
  POLL_SERIES,
  STATUS_SERIES,
  type LoadRunData,
  type SeriesData,
  type VariantData,
} from '../measure/run-data.js'
import {formatDuration} from '../text/duration.js'

export interface PublishedComparison {
  title: string
  /** What the degraded window is, e.g. "storm: the phase after the content drop". */
  windows: string
  header: string[]
  rows: string[][]
}

interface Window {
  startMs: number
  endMs: number
}

interface VariantWindows {
  normal: Window
  degraded: Window
  /** The degraded window's name: a phase (storm, evening.peak) or the timeline's first event. */
  degradedName: string
}

interface Figure {
  name: string
  published: string
  measure: (variant: VariantData, windows: VariantWindows) => string | undefined
}

const percent = (part: number, whole: number) =>
  whole > 0 ? `${Number(((100 * part) / whole).toPrecision(3))}%` : undefined

const FIGURES: Figure[] = [
  {name: 'cache hit rate, normal', published: '80%', measure: (variant, {normal}) => hitRate(variant.gauges, normal)},
  {
    name: 'cache hit rate, degraded',
    published: '20% in a storm',
    measure: (variant, {degraded}) => hitRate(variant.gauges, degraded),
  },
  {
    name: 'latency on a hit (gateway, mean)',
    published: '75 ms',
    measure: (variant, {normal}) => meanLatency(variant.gauges, normal, 'hit'),
  },
  {
    name: 'latency on a miss (gateway, mean)',
    published: '835 ms',
    measure: (variant, {normal}) => meanLatency(variant.gauges, normal, 'miss'),
  },
  {
    name: 'recommendations p50 / p95, normal',
    published: '75 ms (hit) – 835 ms (miss)',
    measure: (variant, {normal}) => percentiles(variant, normal, 'recommendations'),
  },
  {
    name: 'recommendations p50 / p95, degraded',
    published: '800 ms–2 s; p95 3 s+',
    measure: (variant, {degraded}) => percentiles(variant, degraded, 'recommendations'),
  },
  {
    name: 'e2e (generate) p50 / p95, normal',
    published: '—',
    measure: (variant, {normal}) => percentiles(variant, normal, 'e2e'),
  },
  {
    name: 'e2e (generate) p50 / p95, degraded',
    published: '800 ms–2 s; p95 3 s+',
    measure: (variant, {degraded}) => percentiles(variant, degraded, 'e2e'),
  },
  {name: 'error rate, normal', published: '0.1%', measure: (variant, {normal}) => errorRate(variant, normal)},
  {name: 'error rate, degraded', published: '2–5%', measure: (variant, {degraded}) => errorRate(variant, degraded)},
  {name: 'degraded answers (fallbacks), whole run', published: '—', measure: (variant) => degradedShare(variant)},
  {
    name: 'recommender queue, max',
    published: '0–1000',
    measure: (variant) => gaugeMax(variant.gauges, 'queue_depth.recommender'),
  },
  {
    name: 'vector searches in flight, max',
    published: '150 ms → 1 s',
    measure: (variant) => gaugeMax(variant.gauges, 'queue_depth.vector-search'),
  },
  {
    name: 'LLM 429s (limit 500/min)',
    published: '429 → engine waits',
    measure: (variant) => counterTotal(variant.gauges, 'llm_rate_limited_total'),
  },
  {
    name: 'inference queue, max',
    published: '—',
    measure: (variant) => gaugeMax(variant.gauges, 'queue_depth.inference_requests'),
  },
  {
    name: 'generate, created → settled (mean) by tier',
    published: '—',
    measure: (variant) => completionByTier(variant.gauges),
  },
  {
    name: 'amplification (attempts per request), degraded',
    published: 'retries grow exponentially',
    measure: (variant, {degraded}) => amplification(variant, degraded),
  },
  {
    name: 'goodput (successes/s), normal → degraded',
    published: '—',
    measure: (variant, {normal, degraded}) => goodputChange(variant, normal, degraded),
  },
]

/** The comparison for a StreamFlow-calibrated run; undefined for any other run. */
export function publishedComparison(run: LoadRunData): PublishedComparison | undefined {
  const calibrated = run.variants.filter(
    (variant) => (variant.settings.calibration as {name?: string} | undefined)?.name === 'streamflow',
  )
  if (calibrated.length === 0) return undefined
  const windows = calibrated.map(variantWindows)
  const rows = FIGURES.map((figure) => [
    figure.name,
    figure.published,
    ...calibrated.map((variant, index) => figure.measure(variant, windows[index]!) ?? '-'),
  ]).filter((row) => row.slice(2).some((cell) => cell !== '-'))
  const first = windows[0]!
  return {
    title: `StreamFlow: published vs reproduced (${run.profile})`,
    windows: `normal: ${describe(first.normal)}; degraded: ${first.degradedName}, ${describe(first.degraded)}`,
    header: ['figure', 'published', ...calibrated.map((variant) => variant.name)],
    rows,
  }
}

const describe = (window: Window) => `${formatDuration(window.startMs)}–${formatDuration(window.endMs)}`

/**
 * Normal is the phase named normal (or a peak's baseline), degraded the phase named storm (or a
 * peak's peak); a profile without such phases is normal until its first timeline event and
 * degraded from it to the next (a reset) or the end.
 */
function variantWindows(variant: VariantData): VariantWindows {
  const phases = variant.phaseWindows ?? []
  const end = Math.max(
    variant.durationMs,
    ...variant.intervals.map((interval) => interval.startMs + interval.durationMs),
  )
  const normal = phases.find(
    (phase) => phase.name === 'normal' || phase.name === 'baseline' || phase.name.endsWith('.baseline'),
  )
  const degraded = phases.find(
    (phase) => phase.name === 'storm' || phase.name === 'peak' || phase.name.endsWith('.peak'),
  )
  if (normal && degraded)
    return {
      normal: {startMs: normal.startMs, endMs: normal.endMs},
      degraded: {startMs: degraded.startMs, endMs: degraded.endMs},
      degradedName: degraded.name,
    }
  // Only an event that took effect starts a cascade.
  const events = variant.timeline.filter((event) => event.ok).sort((a, b) => a.firedAtMs - b.firedAtMs)
  const first = events[0]
  if (!first)
    return {
      normal: {startMs: 0, endMs: end},
      degraded: {startMs: end, endMs: end},
      degradedName: 'none (no phase or timeline event starts one)',
    }
  return {
    normal: {startMs: 0, endMs: first.firedAtMs},
    degraded: {startMs: first.firedAtMs, endMs: events[1]?.firedAtMs ?? end},
    degradedName: `from ${first.action}`,
  }
}

/**
 * A counter's increase over the window: the sum of its increases between the scrapes in it (a
 * restarted process's counter counts from 0, as counterRate reads it). A window that starts before
 * the first scrape counts from it: counters hold the process's whole life, warm-up included.
 * Undefined without two scrapes of it in the window.
 */
function counterDelta(samples: readonly GaugeSample[], key: string, window: Window): number | undefined {
  const inside = samples.filter(
    (sample) =>
      sample.values[key] !== undefined && sample.atMs >= window.startMs - 500 && sample.atMs <= window.endMs + 500,
  )
  if (inside.length < 2) return undefined
  return counterRate(inside, key).reduce(
    (sum, rate, index) => sum + (rate.perSecond * (rate.atMs - inside[index]!.atMs)) / 1000,
    0,
  )
}

function hitRate(samples: readonly GaugeSample[], window: Window): string | undefined {
  const hits = counterDelta(samples, 'cache_hits_total', window)
  const misses = counterDelta(samples, 'cache_misses_total', window)
  return hits === undefined || misses === undefined ? undefined : percent(hits, hits + misses)
}

function meanLatency(samples: readonly GaugeSample[], window: Window, cache: 'hit' | 'miss'): string | undefined {
  const seconds = counterDelta(samples, `recommendation_${cache}_seconds_total`, window)
  const count = counterDelta(samples, `recommendation_${cache}_total`, window)
  return seconds === undefined || !count ? undefined : formatDuration((seconds * 1000) / count)
}

function gaugeMax(samples: readonly GaugeSample[], key: string): string | undefined {
  const values = samples.map((sample) => sample.values[key]).filter((value): value is number => value !== undefined)
  return values.length > 0 ? String(Math.max(...values)) : undefined
}

function counterTotal(samples: readonly GaugeSample[], key: string): string | undefined {
  const total = counterTotalNumber(samples, key)
  return total === undefined ? undefined : String(total)
}

/** A counter's increase from the first scrape to the last. */
function counterTotalNumber(samples: readonly GaugeSample[], key: string): number | undefined {
  return counterDelta(samples, key, {startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY})
}

/** The client's series over the intervals that fall in the window, merged losslessly. */
/** The intervals whose middle falls in the window. */
function intervalsIn(variant: VariantData, window: Window): VariantData['intervals'] {
  return variant.intervals.filter((interval) => {
    const middle = interval.startMs + interval.durationMs / 2
    return middle >= window.startMs && middle <= window.endMs
  })
}

function seriesIn(variant: VariantData, window: Window): Record<string, SeriesData> {
  const merged: Record<string, SeriesData> = {}
  for (const interval of intervalsIn(variant, window)) {
    for (const [name, series] of Object.entries(interval.series))
      merged[name] = merged[name] ? mergeSeries(merged[name], series) : series
  }
  return merged
}

function percentiles(variant: VariantData, window: Window, name: string): string | undefined {
  const series = seriesIn(variant, window)[name]
  if (!series || series.latency.count === 0) return undefined
  return `${formatDuration(series.latency.p50)} / ${formatDuration(series.latency.p95)}`
}

/**
 * A user's view: of the requests asked for (every series but the polls), those that failed, at
 * once or at the end (an accepted generate that failed counts as failed).
 */
function errorRate(variant: VariantData, window: Window): string | undefined {
  const {originals, failed, dropped} = originalRequests(seriesIn(variant, window))
  return percent(failed + dropped, originals + dropped)
}

/** Answers a fallback gave (a degraded generate, a stored ranking), of the requests asked for. */
function degradedShare(variant: VariantData): string | undefined {
  const counted = Object.entries(variant.totals).filter(
    ([name, series]) => name !== STATUS_SERIES && series.counts.degraded !== undefined,
  )
  if (counted.length === 0) return undefined
  const degraded = counted.reduce((sum, [, series]) => sum + (series.counts.degraded ?? 0), 0)
  return `${percent(degraded, originalRequests(variant.totals).originals) ?? '0%'} (${degraded})`
}

/**
 * Attempts per original sent in the window, both counted when sent (originals counted when they
 * finish would lag behind the sends while latency grows, and read as retries that never happened).
 */
function amplification(variant: VariantData, window: Window): string | undefined {
  let attempts = 0
  let retries = 0
  for (const [name, series] of Object.entries(seriesIn(variant, window))) {
    if ((POLL_SERIES as readonly string[]).includes(name)) continue
    attempts += series.counts.attempts
    retries += series.counts.retries
  }
  return attempts > retries ? `${(attempts / (attempts - retries)).toFixed(2)}x` : undefined
}

/** Originals that succeeded per second of the window's intervals. */
function goodput(variant: VariantData, window: Window): number | undefined {
  const seconds = intervalsIn(variant, window).reduce((sum, interval) => sum + interval.durationMs, 0) / 1000
  return seconds > 0 ? originalRequests(seriesIn(variant, window)).succeeded / seconds : undefined
}

function goodputChange(variant: VariantData, normal: Window, degraded: Window): string | undefined {
  const before = goodput(variant, normal)
  const during = goodput(variant, degraded)
  return before === undefined || during === undefined ? undefined : `${before.toFixed(1)} → ${during.toFixed(1)}`
}

/** Mean seconds from a generate's creation to its settlement, per tier, over the whole run (the collector's figures). */
function completionByTier(samples: readonly GaugeSample[]): string | undefined {
  const tiers = [...new Set(samples.flatMap((sample) => Object.keys(sample.values)))]
    .flatMap((key) => /^completion_(.+)_total$/.exec(key)?.[1] ?? [])
    .filter((tier) => !tier.endsWith('_seconds'))
  const parts = tiers.sort().flatMap((tier) => {
    const count = counterTotalNumber(samples, `completion_${tier}_total`)
    const seconds = counterTotalNumber(samples, `completion_${tier}_seconds_total`)
    return count && seconds !== undefined ? [`${tier} ${formatDuration((seconds * 1000) / count)}`] : []
  })
  return parts.length > 0 ? parts.join(' · ') : undefined
}
