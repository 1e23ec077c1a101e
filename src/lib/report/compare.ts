// `report --compare BASE NEW`: the two runs side by side, series by series, and a regression called
// only when it is both statistically significant and large enough to matter:
//   - a shift of the whole latency distribution: Mann-Whitney U p < 0.01 and the median up by more
//     than 10% (and 1 ms);
//   - a fatter tail: more than 1% of NEW's requests above BASE's p99, one-sided binomial p < 0.01,
//     and p99 up by more than 25% (and 5 ms);
//   - more errors: two-proportion test p < 0.01 and the error rate up by more than 0.5 points.
// Improvements are called the same way in the other direction; anything else is "no significant change".
// The call means something only like for like: describeRunDifferences names every condition (profile,
// duration, offered rate, seed, stack…) in which the two runs differ, and the command refuses to
// compare them without --force.
import {decodeHistogram} from '../measure/histogram.js'
import {ERROR_CLASSES} from '../measure/outcome.js'
import type {SeriesData} from '../measure/run-data.js'
import {formatDuration} from '../text/duration.js'
import type {RunRecord} from './run-record.js'
import {mannWhitneyP, proportionIncreaseP, tailExcessP} from './significance.js'

export const ALPHA = 0.01

export type ChangeVerdict = 'regression' | 'improvement' | 'no significant change'

export interface SeriesComparison {
  variant: string
  series: string
  base: {count: number; p50: number; p99: number; errorRate: number}
  next: {count: number; p50: number; p99: number; errorRate: number}
  /** Relative change of p50 and p99 (0.1 = 10% slower). */
  change: {p50: number; p99: number; errorRate: number}
  pShift: number
  pTail: number
  pErrors: number
  verdict: ChangeVerdict
  /** Why, in words: which test and threshold decided. */
  reason: string
}

/** A condition of the run (named as in the run record) in which BASE and NEW differ. */
export interface RunDifference {
  field:
    'profile' | 'model' | 'durationMs' | 'offeredRate' | 'seed' | 'stack' | 'driver' | 'target' | 'variants' | 'shard'
  /** The value in each run (durationMs in ms, offeredRate in originals/s to 0.1); null when the run has none (no stack, not a shard). */
  base: string | number | string[] | null
  next: string | number | string[] | null
  /** In words: "duration 30s → 15s". */
  text: string
}

export interface RunComparison {
  base: string
  next: string
  verdict: ChangeVerdict
  /** True when the runs offered the same load to the same system (no differences). */
  likeForLike: boolean
  differences: RunDifference[]
  /** True when the runs differ and were compared anyway (--force). */
  forced: boolean
  series: SeriesComparison[]
}

/** Durations and offered rates further apart than this (relative to the smaller) make runs unlike. */
export const CONDITION_TOLERANCE = 0.1

export function describeRunDifferences(base: RunRecord, next: RunRecord): RunDifference[] {
  const differences: RunDifference[] = []
  const exact = (field: RunDifference['field'], a: string | number | null, b: string | number | null) => {
    if (a !== b) differences.push({field, base: a, next: b, text: `${field} ${a ?? 'none'} → ${b ?? 'none'}`})
  }
  const apart = (a: number, b: number) => Math.max(a, b) > Math.min(a, b) * (1 + CONDITION_TOLERANCE)
  exact('profile', base.profile, next.profile)
  exact('model', base.model, next.model)
  if (apart(base.durationMs, next.durationMs))
    differences.push({
      field: 'durationMs',
      base: base.durationMs,
      next: next.durationMs,
      text: `duration ${formatDuration(base.durationMs)} → ${formatDuration(next.durationMs)}`,
    })
  const [rateBase, rateNext] = [offeredRate(base), offeredRate(next)]
  if (apart(rateBase, rateNext))
    differences.push({
      field: 'offeredRate',
      base: round(rateBase),
      next: round(rateNext),
      text: `offered rate ${rateBase.toFixed(1)}/s → ${rateNext.toFixed(1)}/s`,
    })
  exact('seed', base.seed, next.seed)
  exact('stack', base.meta.stack ?? null, next.meta.stack ?? null)
  exact('driver', base.meta.driver ?? null, next.meta.driver ?? null)
  // Against a stack, the URL is wherever it listened this time; only bare --target runs name their system by it.
  if (base.meta.stack === undefined && next.meta.stack === undefined) exact('target', base.target, next.target)
  const [variantsBase, variantsNext] = [variantNames(base), variantNames(next)]
  if (variantsBase.join('\n') !== variantsNext.join('\n'))
    differences.push({
      field: 'variants',
      base: variantsBase,
      next: variantsNext,
      text: `variants ${variantsBase.join(', ') || 'none'} → ${variantsNext.join(', ') || 'none'}`,
    })
  const shard = (record: RunRecord) => (record.shard ? `${record.shard.index + 1}/${record.shard.count}` : null)
  exact('shard', shard(base), shard(next))
  return differences
}

/** The differences in one line: "duration 30s → 15s; offered rate 80.0/s → 40.1/s". */
export function listDifferences(differences: RunDifference[]): string {
  return differences.map((difference) => difference.text).join('; ')
}

/** Originals the schedule asked for (sent or not), per second of the run, over every variant. */
export function offeredRate(record: RunRecord): number {
  const offered = record.variants.reduce(
    (sum, variant) => sum + variant.intervals.reduce((inVariant, interval) => inVariant + interval.offered, 0),
    0,
  )
  return record.durationMs > 0 ? offered / (record.durationMs / 1000) : 0
}

const variantNames = (record: RunRecord) => [...new Set(record.variants.map((variant) => variant.name))].sort()
const round = (value: number) => Math.round(value * 10) / 10

export function compareRuns(
  base: RunRecord,
  next: RunRecord,
  names: {base: string; next: string},
  options: {force?: boolean} = {},
): RunComparison {
  const differences = describeRunDifferences(base, next)
  const series: SeriesComparison[] = []
  for (const variant of next.variants) {
    const before =
      base.variants.find((candidate) => candidate.name === variant.name) ??
      (base.variants.length === 1 ? base.variants[0] : undefined)
    if (!before) continue
    for (const [name, data] of Object.entries(variant.totals)) {
      const old = before.totals[name]
      if (old) series.push(compareSeries(variant.name, name, old, data))
    }
  }
  const verdict: ChangeVerdict = series.some((row) => row.verdict === 'regression')
    ? 'regression'
    : series.some((row) => row.verdict === 'improvement')
      ? 'improvement'
      : 'no significant change'
  const likeForLike = differences.length === 0
  return {
    base: names.base,
    next: names.next,
    verdict,
    likeForLike,
    differences,
    forced: !likeForLike && options.force === true,
    series,
  }
}

function compareSeries(variant: string, name: string, old: SeriesData, data: SeriesData): SeriesComparison {
  const a = decodeHistogram(old.latencyHistogram)
  const b = decodeHistogram(data.latencyHistogram)
  const figures = (series: SeriesData) => ({
    count: series.counts.requests,
    p50: series.latency.p50,
    p99: series.latency.p99,
    errorRate: errorRate(series),
  })
  const base = figures(old)
  const next = figures(data)
  const relative = (x: number, y: number) => (x === 0 ? (y === 0 ? 0 : 1) : (y - x) / x)
  const change = {
    p50: relative(base.p50, next.p50),
    p99: relative(base.p99, next.p99),
    errorRate: next.errorRate - base.errorRate,
  }
  const pShift = mannWhitneyP(a, b)
  const pTailUp = tailExcessP(b, a.getValueAtPercentile(99), 0.01)
  const pTailDown = tailExcessP(a, b.getValueAtPercentile(99), 0.01)
  const pErrorsUp = proportionIncreaseP(failedOrDropped(old), offered(old), failedOrDropped(data), offered(data))
  const pErrorsDown = proportionIncreaseP(failedOrDropped(data), offered(data), failedOrDropped(old), offered(old))
  const medianMoved = (sign: number) => pShift < ALPHA && sign * change.p50 > 0.1 && sign * (next.p50 - base.p50) > 1
  const tailMoved = (sign: number) =>
    (sign > 0 ? pTailUp : pTailDown) < ALPHA && sign * change.p99 > 0.25 && sign * (next.p99 - base.p99) > 5
  const errorsMoved = (sign: number) => (sign > 0 ? pErrorsUp : pErrorsDown) < ALPHA && sign * change.errorRate > 0.005
  const reasons = (sign: number) => [
    ...(medianMoved(sign) ? [`median ${pct(change.p50)} (Mann-Whitney p=${p(pShift)})`] : []),
    ...(tailMoved(sign) ? [`p99 ${pct(change.p99)} (tail test p=${p(sign > 0 ? pTailUp : pTailDown)})`] : []),
    ...(errorsMoved(sign)
      ? [`error rate ${(change.errorRate * 100).toFixed(2)} points (p=${p(sign > 0 ? pErrorsUp : pErrorsDown)})`]
      : []),
  ]
  const worse = reasons(1)
  const better = reasons(-1)
  const verdict: ChangeVerdict =
    worse.length > 0 ? 'regression' : better.length > 0 ? 'improvement' : 'no significant change'
  const reason =
    worse.length > 0
      ? worse.join('; ')
      : better.length > 0
        ? better.join('; ')
        : `median ${pct(change.p50)}, p99 ${pct(change.p99)}: within noise (p=${p(pShift)}) or below the 10%/25% thresholds`
  return {variant, series: name, base, next, change, pShift, pTail: pTailUp, pErrors: pErrorsUp, verdict, reason}
}

/** A dropped request is a failed one here as in the SLA verdict: a run that sheds load does not read as fewer errors. */
const failedOrDropped = (series: SeriesData) =>
  ERROR_CLASSES.reduce((sum, key) => sum + series.counts.failed[key], 0) + series.counts.dropped
const offered = (series: SeriesData) => series.counts.requests + series.counts.dropped

function errorRate(series: SeriesData): number {
  return offered(series) === 0 ? 0 : failedOrDropped(series) / offered(series)
}

const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`
const p = (value: number) => (value < 0.0001 ? '<0.0001' : value.toFixed(4))
