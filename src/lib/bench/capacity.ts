// Capacity search (`bench PROFILE --find-capacity`): the profile runs at rising base rates, each step
// a short bench judged by the SLA targets, until a step is not a pass; then the rate is bisected
// between the last rate that passed and the first that did not. A step passes only when every
// target passed: a failed target, and one that is inconclusive or has no data, end the climb even
// where the target allows them, because "we could not tell" is not capacity. The answer is the
// highest rate at which every target passed, with every step and the knee of the latency curve.
import {POLL_SERIES} from '../measure/run-data.js'
import type {RunRecord} from '../report/run-record.js'
import type {SlaResult} from '../sla/evaluate.js'

export interface CapacityPlan {
  /** The first step's base rate, req/s. */
  startRate: number
  /** Each climbing step multiplies the rate by this. */
  growth: number
  /** Bisection stops when the bracket is narrower than this share of its low end. */
  precision: number
  /** No step above this rate: when it passes, the capacity is at least this. */
  maxRate: number
  maxSteps: number
}

export const DEFAULT_CAPACITY_PLAN = {growth: 2, precision: 0.05, maxRate: 1_000_000, maxSteps: 16} as const

export interface CapacityStep {
  rate: number
  stage: 'climb' | 'bisect'
  passed: boolean
  /** The targets that did not pass, as `metric threshold: status observed`. */
  notPassed: string[]
  /** Originals per second the run completed (the rate it achieved). */
  achievedRate: number
  /** p99 latency of the series the latency curve follows, ms. */
  p99Ms?: number
  /** The step's run record, when it was written. */
  file?: string
}

export interface CapacityResult {
  profile: string
  /** The highest base rate at which every target passed; absent when the first step did not pass. */
  capacity?: number
  /** The lowest rate that did not pass; absent when none failed up to maxRate or the step limit. */
  firstFailure?: number
  /** Why the search stopped. */
  stoppedBy: 'precision' | 'max-rate' | 'max-steps' | 'first-step' | 'interrupted'
  /** The series whose p99 the latency curve follows. */
  series?: string
  steps: CapacityStep[]
  /** The step where latency starts to climb steeply (Kneedle on rate against p99). */
  knee?: {rate: number; p99Ms: number}
}

/** Runs one step at a base rate and returns its judged record (and where it was written). */
export type CapacityTrial = (
  rate: number,
  stage: CapacityStep['stage'],
) => Promise<{record: RunRecord; file?: string} | undefined>

export async function findCapacity(profile: string, plan: CapacityPlan, trial: CapacityTrial): Promise<CapacityResult> {
  const steps: CapacityStep[] = []
  let series: string | undefined
  const run = async (rate: number, stage: CapacityStep['stage']): Promise<CapacityStep | undefined> => {
    const outcome = await trial(rate, stage)
    if (!outcome) return undefined
    series ??= latencySeries(outcome.record)
    const step = judgeStep(rate, stage, outcome.record, series)
    steps.push(outcome.file ? {...step, file: outcome.file} : step)
    return step
  }
  const finish = (stoppedBy: CapacityResult['stoppedBy'], low?: number, high?: number): CapacityResult => {
    const knee = latencyKnee(steps)
    return {
      profile,
      ...(low === undefined ? {} : {capacity: low}),
      ...(high === undefined ? {} : {firstFailure: high}),
      stoppedBy,
      ...(series ? {series} : {}),
      steps,
      ...(knee ? {knee} : {}),
    }
  }

  let low: number | undefined
  let high: number | undefined
  let rate = plan.startRate
  while (high === undefined) {
    if (steps.length >= plan.maxSteps) return finish('max-steps', low)
    const step = await run(rate, 'climb')
    if (!step) return finish('interrupted', low)
    if (!step.passed) high = rate
    else {
      low = rate
      if (rate >= plan.maxRate) return finish('max-rate', low)
      rate = Math.min(plan.maxRate, roundRate(rate * plan.growth))
    }
  }
  if (low === undefined) return finish('first-step', undefined, high)
  while ((high - low) / low > plan.precision) {
    if (steps.length >= plan.maxSteps) return finish('max-steps', low, high)
    const middle = roundRate((low + high) / 2)
    if (middle <= low || middle >= high) break
    const step = await run(middle, 'bisect')
    if (!step) return finish('interrupted', low, high)
    if (step.passed) low = middle
    else high = middle
  }
  return finish('precision', low, high)
}

/** A step passes only when every judged target passed outright. */
export function judgeStep(
  rate: number,
  stage: CapacityStep['stage'],
  record: RunRecord,
  series: string | undefined,
): CapacityStep {
  const notPassed = record.sla.results.filter((result) => result.status !== 'pass').map(describeResult)
  const variant = record.variants[0]
  const p99 = series ? variant?.totals[series]?.latency : undefined
  return {
    rate,
    stage,
    passed: record.sla.results.length > 0 && notPassed.length === 0,
    notPassed,
    achievedRate: variant && variant.durationMs > 0 ? round(variant.goodput) : 0,
    ...(p99 && p99.count > 0 ? {p99Ms: round(p99.p99)} : {}),
  }
}

function describeResult(result: SlaResult): string {
  return `${result.name}: ${result.status === 'fail' ? 'failed' : result.status} (${result.observedText})`
}

/** The series of the first latency target, else the profile's first series. */
function latencySeries(record: RunRecord): string | undefined {
  const totals = record.variants[0]?.totals ?? {}
  const judged = record.sla.results.find((result) => result.observed?.unit === 'ms' && totals[result.metric])
  return judged?.metric ?? Object.keys(totals).find((name) => !(POLL_SERIES as readonly string[]).includes(name))
}

/**
 * Kneedle (Satopää et al., 2011) on the steps' (rate, p99), both scaled to [0, 1]: the knee is the
 * step farthest above the straight line from the lowest rate's point to the highest's — where
 * latency stops growing with the rate and starts growing faster than it.
 */
export function latencyKnee(
  steps: readonly Pick<CapacityStep, 'rate' | 'p99Ms'>[],
): {rate: number; p99Ms: number} | undefined {
  const points = steps
    .filter((step): step is {rate: number; p99Ms: number} => step.p99Ms !== undefined)
    .sort((a, b) => a.rate - b.rate)
  if (points.length < 3) return undefined
  const [first, last] = [points[0]!, points[points.length - 1]!]
  const spanRate = last.rate - first.rate
  const spanP99 = last.p99Ms - first.p99Ms
  if (spanRate <= 0 || spanP99 <= 0) return undefined
  let best: {rate: number; p99Ms: number} | undefined
  let bestGap = 0
  for (const point of points) {
    const x = (point.rate - first.rate) / spanRate
    const y = (point.p99Ms - first.p99Ms) / spanP99
    // The curve bends upwards: the knee is where it lies farthest below the chord.
    const gap = x - y
    if (gap > bestGap) {
      bestGap = gap
      best = point
    }
  }
  return best
}

function roundRate(rate: number): number {
  return rate >= 100 ? Math.round(rate) : Math.round(rate * 100) / 100
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
