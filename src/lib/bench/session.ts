// A bench run from start to verdict, shared by `bench` and `demo`: a check that the admin API takes
// the token (when the run needs it), the warm-up (not recorded), the load (stopped early when an
// abortOnFail target fails), then — when the run sent generates to a stack — the drain and the
// quota accounting, then the SLA verdict, all in one run record. The quota accounting covers
// requests created from the end of the warm-up on, so the warm-up's generates count in neither the
// client's figures nor the stack's.
import {checkAdminAccess, runBench, warmUp, type BenchOptions} from './run.js'
import {GENERATE_SERIES} from '../load/reference-templates.js'
import {readQuotaAccounting, type QuotaAccounting} from '../quota/accounting.js'
import {waitForDrain} from '../quota/drain.js'
import {openQuotaStores, type QuotaStoreEndpoints} from '../quota/stores.js'
import {AbortWatch} from '../sla/abort-watch.js'
import {evaluateTargets, type SlaResult} from '../sla/evaluate.js'
import type {ChosenSla} from './choose-targets.js'
import {RUN_RECORD_SCHEMA_VERSION, type RunMetadata, type RunRecord} from '../report/run-record.js'

export interface BenchSessionOptions extends BenchOptions {
  sla: ChosenSla
  meta: RunMetadata
  /** The stack's stores, for quota accounting (absent for a bare --target). */
  quotaEndpoints?: QuotaStoreEndpoints
  drainTimeoutMs?: number
}

export async function runBenchSession(options: BenchSessionOptions): Promise<RunRecord> {
  const watch = new AbortWatch(options.sla.targets)
  const controller = new AbortController()
  const forward = () => controller.abort()
  options.signal?.addEventListener('abort', forward, {once: true})
  let abortedBy: string | undefined
  let aborting: SlaResult | undefined
  await checkAdminAccess(options)
  const warmed = await warmUp({...options, signal: controller.signal})
  if (warmed)
    options.onNote?.(
      `warm-up: ${warmed.requests} requests in ${(warmed.durationMs / 1000).toFixed(1)} s${warmed.rate === undefined ? '' : ` at ${Number(warmed.rate.toFixed(1))} req/s`}, not recorded`,
    )
  const since = new Date(Date.now() - (warmed ? 0 : 1000))
  let run
  try {
    run = await runBench({
      ...options,
      ...(warmed ? {warmTarget: warmed.target} : {}),
      signal: controller.signal,
      onInterval: (variant, interval) => {
        options.onInterval?.(variant, interval)
        if (abortedBy || !watch.active) return
        const failing = watch.check(variant, interval)
        if (!failing) return
        aborting = failing
        abortedBy = `${failing.name} (observed ${failing.observedText})`
        options.onNote?.(`SLA target ${abortedBy} failed: abortOnFail stops the run`)
        controller.abort()
      },
    })
  } finally {
    options.signal?.removeEventListener('abort', forward)
  }
  let quota: QuotaAccounting | undefined
  const sentGenerates = run.variants.some((variant) => (variant.totals[GENERATE_SERIES]?.counts.attempts ?? 0) > 0)
  if (options.quotaEndpoints && sentGenerates) {
    const stores = await openQuotaStores(options.quotaEndpoints)
    try {
      options.onNote?.('waiting for the stack to drain, then reading the quota accounting')
      const drained = await waitForDrain(stores, since, options.drainTimeoutMs ?? 60_000)
      quota = await readQuotaAccounting(stores, since, run.variants, drained)
    } finally {
      await stores.close()
    }
  }
  const sla = evaluateTargets(options.sla.targets, run.variants, quota, options.sla.source, options.sla.notApplicable)
  if (abortedBy) {
    sla.abortedBy = abortedBy
    sla.passed = false
    // The target that stopped the run failed, whatever the requests still in flight did after: every report counts it so.
    const stopped = sla.results.find(
      (result) =>
        result.metric === aborting?.metric &&
        result.threshold === aborting.threshold &&
        result.variant === aborting.variant,
    )
    if (stopped && stopped.met)
      Object.assign(stopped, {
        status: 'fail',
        met: false,
        observedText: `${aborting!.observedText} when it stopped the run`,
      })
  }
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    ...run,
    meta: options.meta,
    // What the warm-up did, without its connections (they went on into the run).
    ...(warmed
      ? {
          warmup: {
            requests: warmed.requests,
            durationMs: warmed.durationMs,
            ...(warmed.rate === undefined ? {} : {rate: warmed.rate}),
          },
        }
      : {}),
    ...(quota ? {quota} : {}),
    sla,
  }
}
