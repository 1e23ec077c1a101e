// Evaluates SLA targets against a run: one result per target (and per variant when a profile runs
// several), each pass, fail or no-data with the observed value. Any fail fails the verdict (exit 99).
import type {VariantData} from '../measure/run-data.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import {formatDuration} from '../text/duration.js'
import {observe, type Observation} from './observe.js'
import type {SlaTarget} from './targets.js'
import {compare, parseThreshold} from './threshold.js'

export interface SlaResult {
  /** `generate.accept p(99)<100ms`, prefixed by the variant when the run has several. */
  name: string
  metric: string
  threshold: string
  variant: string
  status: 'pass' | 'fail' | 'no-data'
  observed?: Observation
  /** The observed value as a person reads it: `84.2ms`, `0.03%`, `0`. */
  observedText: string
  abortOnFail: boolean
}

export interface SlaVerdict {
  passed: boolean
  /** Where the targets came from: the manifest, a --sla file, or none. */
  source?: string
  /** The targets as written, so a merged or re-rendered record can be evaluated again. */
  targets: Array<{metric: string; threshold: string}>
  results: SlaResult[]
  /** Set when an abortOnFail target stopped the run early. */
  abortedBy?: string
}

export function evaluateTargets(targets: readonly SlaTarget[], variants: readonly VariantData[], quota: QuotaAccounting | undefined, source?: string): SlaVerdict {
  const results: SlaResult[] = []
  for (const variant of variants) {
    for (const target of targets) results.push(evaluateTarget(target, variant, quota, variants.length > 1))
  }
  return {
    passed: results.every((result) => result.status !== 'fail'),
    ...(source ? {source} : {}),
    targets: targets.map((target) => ({metric: target.metric, threshold: target.threshold.source})),
    results,
  }
}

export function evaluateTarget(target: SlaTarget, variant: VariantData, quota: QuotaAccounting | undefined, prefixVariant: boolean): SlaResult {
  const observed = observe(target.metric, target.threshold, variant, quota)
  const base = `${target.metric} ${target.threshold.source.replace(/\s+/g, '')}`
  const status = observed === undefined ? 'no-data' : compare(round(observed.value), target.threshold.op, target.threshold.value) ? 'pass' : 'fail'
  return {
    name: prefixVariant ? `${variant.name}: ${base}` : base,
    metric: target.metric,
    threshold: target.threshold.source,
    variant: variant.name,
    status,
    ...(observed ? {observed} : {}),
    observedText: observed ? formatObservation(observed, target.threshold.value) : 'no data',
    abortOnFail: target.abortOnFail,
  }
}

/**
 * The observation as shown beside its target. A latency within 1% of the threshold gets three
 * decimals, so that 99.967 ms is not shown as "100ms" passing `p(99)<100ms`.
 */
export function formatObservation(observed: Observation, threshold?: number): string {
  if (observed.unit === 'ms') {
    const close = threshold !== undefined && threshold > 0 && observed.value !== threshold && Math.abs(observed.value - threshold) < threshold * 0.01
    return close ? `${Number(observed.value.toFixed(3))}ms` : formatDuration(observed.value)
  }
  if (observed.unit === 'ratio') return `${Number((observed.value * 100).toPrecision(3))}%`
  return String(Number(observed.value.toPrecision(6)))
}

/** Floating-point noise (0.1+0.2) must not fail `==0.3`; nine significant digits is plenty. */
function round(value: number): number {
  return Number(value.toPrecision(9))
}

/** Targets back from a verdict's `targets` (they were valid when the record was written). */
export function targetsOf(verdict: SlaVerdict): SlaTarget[] {
  return (verdict.targets ?? []).map((target) => ({metric: target.metric, threshold: parseThreshold(target.threshold), abortOnFail: false, delayAbortEvalMs: 0}))
}
