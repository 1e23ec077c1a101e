// abortOnFail: the running totals of a variant, built from its closed intervals, checked after each
// interval against the targets that may stop the run (k6's abortOnFail with delayAbortEval).
import {mergeSeriesMaps} from '../measure/merge-series.js'
import type {IntervalData, SeriesData, VariantData} from '../measure/run-data.js'
import {evaluateTarget, type SlaResult} from './evaluate.js'
import type {SlaTarget} from './targets.js'

export class AbortWatch {
  private readonly targets: SlaTarget[]
  private variant = ''
  private totals: Record<string, SeriesData> = {}

  constructor(targets: readonly SlaTarget[]) {
    this.targets = targets.filter((target) => target.abortOnFail && !target.metric.startsWith('quota.'))
  }

  get active(): boolean {
    return this.targets.length > 0
  }

  /** The first abortOnFail target the totals so far fail, once its delay has passed. */
  check(variant: string, interval: IntervalData): SlaResult | undefined {
    if (variant !== this.variant) {
      this.variant = variant
      this.totals = {}
    }
    this.totals = mergeSeriesMaps(this.totals, interval.series)
    const elapsedMs = interval.startMs + interval.durationMs
    const sofar = {
      name: variant,
      totals: this.totals,
      amplification: 0,
      goodput: 0,
      intervals: [],
      durationMs: elapsedMs,
    } as unknown as VariantData
    for (const target of this.targets) {
      if (elapsedMs < target.delayAbortEvalMs) continue
      const result = evaluateTarget(target, sofar, undefined, false, {project: false})
      if (result.status === 'fail') return result
    }
    return undefined
  }
}
