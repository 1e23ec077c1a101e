// Evaluates SLA targets against a run: one result per target (and per variant when a profile runs
// several). The verdict never guesses:
//   - pass or fail with the observed value;
//   - no data: the metric got no samples, which fails unless the target says `allowNoData: true`;
//   - inconclusive: a percentile whose confidence interval (order statistics, 95% by default)
//     straddles the threshold, which fails unless the target says `allowInconclusive: true`, and
//     says how many samples, or how long a run, would decide it.
// Any result that is not met fails the verdict (exit 99).
import type {VariantData} from '../measure/run-data.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import {formatDuration} from '../text/duration.js'
import type {NotApplicableTarget} from './targets.js'
import {observe, samplesOf, type SortedSamples, type Observation} from './observe.js'
import {percentileRanks, samplesToDecide} from './percentile-interval.js'
import type {SlaTarget} from './targets.js'
import {compare, parseThreshold, type Threshold} from './threshold.js'

export const DEFAULT_CONFIDENCE = 0.95

export type SlaStatus = 'pass' | 'fail' | 'no-data' | 'inconclusive'

export interface SlaResult {
  /** `generate.accept p(99)<100ms`, prefixed by the variant when the run has several. */
  name: string
  metric: string
  threshold: string
  variant: string
  status: SlaStatus
  /** Whether the result counts as met: a pass, or no data / inconclusive that the target allows. */
  met: boolean
  observed?: Observation
  /** The observed value as a person reads it: `84.2ms`, `0.03%`, `0`, `no data`. */
  observedText: string
  /** For a percentile: the confidence interval of the true percentile, in ms (high: Infinity when unbounded). */
  interval?: {confidence: number; low: number; high: number}
  /** Why it is no data or inconclusive, and what would decide it. */
  reason?: string
  /** For an inconclusive percentile: about how many samples would decide it, and how long a run at this rate. */
  toDecide?: {samples: number; durationMs?: number}
  abortOnFail: boolean
}

export interface SlaVerdict {
  passed: boolean
  /** Where the targets came from: the manifest, a --sla file, or none. */
  source?: string
  /** The targets as written, so a merged or re-rendered record can be evaluated again. */
  targets: Array<{metric: string; threshold: string; allowNoData?: boolean; allowInconclusive?: boolean}>
  results: SlaResult[]
  /** Default targets left out because the profile cannot exercise them. */
  notApplicable?: NotApplicableTarget[]
  /** Confidence of the percentile intervals. */
  confidence?: number
  /** Set when an abortOnFail target stopped the run early. */
  abortedBy?: string
}

export function evaluateTargets(
  targets: readonly SlaTarget[],
  variants: readonly VariantData[],
  quota: QuotaAccounting | undefined,
  source?: string,
  notApplicable: readonly NotApplicableTarget[] = [],
): SlaVerdict {
  const results: SlaResult[] = []
  for (const variant of variants) {
    for (const target of targets) results.push(evaluateTarget(target, variant, quota, variants.length > 1))
  }
  return {
    passed: results.every((result) => result.met),
    ...(source ? {source} : {}),
    targets: targets.map((target) => ({
      metric: target.metric,
      threshold: target.threshold.source,
      ...(target.allowNoData ? {allowNoData: true} : {}),
      ...(target.allowInconclusive ? {allowInconclusive: true} : {}),
    })),
    results,
    ...(notApplicable.length > 0 ? {notApplicable: [...notApplicable]} : {}),
    confidence: DEFAULT_CONFIDENCE,
  }
}

/** `project: false` skips working out what would decide an inconclusive percentile (the abortOnFail watch needs only the status). */
export function evaluateTarget(
  target: SlaTarget,
  variant: VariantData,
  quota: QuotaAccounting | undefined,
  prefixVariant: boolean,
  options: {project?: boolean} = {},
): SlaResult {
  const base = `${target.metric} ${target.threshold.source.replace(/\s+/g, '')}`
  const common = {
    name: prefixVariant ? `${variant.name}: ${base}` : base,
    metric: target.metric,
    threshold: target.threshold.source,
    variant: variant.name,
    abortOnFail: target.abortOnFail,
  }
  const observed = observe(target.metric, target.threshold, variant, quota)
  if (observed === undefined) {
    const reason = target.allowNoData
      ? 'no samples in this run (allowed by allowNoData)'
      : `no samples of ${target.metric} in this run: nothing to judge, so it fails (allowNoData: true accepts that)`
    return {...common, status: 'no-data', met: target.allowNoData, observedText: 'no data', reason}
  }
  const observedText = formatObservation(observed, target.threshold.value)
  const series = variant.totals[target.metric]
  const q = percentileOf(target.threshold)
  if (series && q !== undefined) {
    const sorted = samplesOf(series)
    return {
      ...common,
      ...judgePercentile(target, sorted, q, options.project === false ? undefined : loadSpanMs(variant), observed),
      observed,
      observedText,
    }
  }
  const status = compare(round(observed.value), target.threshold.op, target.threshold.value) ? 'pass' : 'fail'
  return {...common, status, met: status === 'pass', observed, observedText}
}

/** How long the variant offered load: up to the end of its last interval that offered any (the drain after it adds no samples). */
function loadSpanMs(variant: VariantData): number {
  const last = variant.intervals.findLast((interval) => interval.offered > 0)
  return last ? last.startMs + last.durationMs : variant.durationMs
}

/** The percentile (0–100) a latency threshold is on, for those judged with an interval; undefined otherwise. */
function percentileOf(threshold: Threshold): number | undefined {
  const {aggregate, op} = threshold
  if (op === '==' || op === '!=') return undefined
  if (aggregate.kind === 'med') return 50
  if (aggregate.kind === 'percentile' && aggregate.p < 100) return aggregate.p
  return undefined
}

function judgePercentile(
  target: SlaTarget,
  sorted: SortedSamples,
  p: number,
  durationMs: number | undefined,
  observed: Observation,
): Pick<SlaResult, 'status' | 'met' | 'interval' | 'reason' | 'toDecide'> {
  const q = p / 100
  const n = sorted.count
  const {lower, upper} = percentileRanks(n, q, DEFAULT_CONFIDENCE)
  const low = lower === undefined ? 0 : sorted.atRank(lower, {lowest: true})
  const high = upper === undefined ? Number.POSITIVE_INFINITY : sorted.atRank(upper)
  const interval = {confidence: DEFAULT_CONFIDENCE, low, high}
  const {op, value: limit} = target.threshold
  // Every value in the interval meets the threshold: pass; none does: fail; otherwise undecided.
  const meets = (value: number) => compare(round(value), op, limit)
  const upperSide = op === '<' || op === '<='
  const passes = upperSide ? meets(high) : meets(low)
  const fails = upperSide ? !meets(low) : !meets(high)
  if (passes) return {status: 'pass', met: true, interval}
  if (fails) return {status: 'fail', met: false, interval}
  const accepted = target.allowInconclusive ? ' (allowed by allowInconclusive)' : ''
  const what = `${n} samples; the ${DEFAULT_CONFIDENCE * 100}% interval of the true p${p} is ${formatInterval(interval, limit)}, which straddles ${formatDuration(limit)}`
  if (durationMs === undefined)
    return {status: 'inconclusive', met: target.allowInconclusive, interval, reason: `${what}${accepted}`}
  // Projected from this run: the same share of samples on each side of the threshold, more of them.
  // A count no larger than this run's means the threshold is inside the interval's HDR buckets
  // (0.1% resolution): more samples cannot separate them.
  const share = sorted.countBelow(limit, op === '<=' || op === '>') / n
  const projected = samplesToDecide(q, share, DEFAULT_CONFIDENCE, n, 1e8)
  const needed = projected !== undefined && projected > n ? projected : undefined
  const perMs = durationMs > 0 ? n / durationMs : 0
  const toDecide =
    needed === undefined
      ? undefined
      : {samples: needed, ...(perMs > 0 ? {durationMs: Math.ceil(needed / perMs / 1000) * 1000} : {})}
  const decide =
    toDecide === undefined
      ? `the observed p${p} (${formatObservation(observed, limit)}) sits at the threshold, within the histogram's resolution: no run length would decide it`
      : `about ${toDecide.samples.toLocaleString('en-US')} samples would decide it${toDecide.durationMs ? ` (a run of about ${formatDuration(toDecide.durationMs)} at this rate)` : ''}`
  return {
    status: 'inconclusive',
    met: target.allowInconclusive,
    interval,
    reason: `${what}: ${decide}${accepted}`,
    ...(toDecide ? {toDecide} : {}),
  }
}

/** `71ms–97.9ms`, `8.07ms–∞`; ends within 1% of `threshold` get three decimals, as observations do. */
export function formatInterval(interval: {low: number; high: number}, threshold?: number): string {
  const end = (value: number) => (Number.isFinite(value) ? formatObservation({value, unit: 'ms'}, threshold) : '∞')
  return `${end(interval.low)}–${end(interval.high)}`
}

/**
 * The observation as shown beside its target. A latency within 1% of the threshold gets more
 * digits, so that 99.967 ms is not shown as "100ms" passing `p(99)<100ms` (nor 3.0126 s as "3.01s").
 */
export function formatObservation(observed: Observation, threshold?: number): string {
  if (observed.unit === 'ms') {
    if (!Number.isFinite(observed.value)) return `∞ (${observed.dropped ?? 0} dropped)`
    const close =
      threshold !== undefined &&
      threshold > 0 &&
      observed.value !== threshold &&
      Math.abs(observed.value - threshold) < threshold * 0.01
    if (!close) return formatDuration(observed.value)
    // Close to the threshold: in the unit formatDuration would use, with enough digits to tell them apart.
    return observed.value >= 1000
      ? `${Number((observed.value / 1000).toFixed(4))}s`
      : `${Number(observed.value.toFixed(3))}ms`
  }
  if (observed.unit === 'ratio') return `${Number((observed.value * 100).toPrecision(3))}%`
  return String(Number(observed.value.toPrecision(6)))
}

/** Floating-point noise (0.1+0.2) must not fail `==0.3`; nine significant digits is plenty. */
function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(9)) : value
}

/** Targets back from a verdict's `targets` (they were valid when the record was written). */
export function targetsOf(verdict: SlaVerdict): SlaTarget[] {
  return (verdict.targets ?? []).map((target) => ({
    metric: target.metric,
    threshold: parseThreshold(target.threshold),
    abortOnFail: false,
    delayAbortEvalMs: 0,
    allowNoData: target.allowNoData === true,
    allowInconclusive: target.allowInconclusive === true,
  }))
}
