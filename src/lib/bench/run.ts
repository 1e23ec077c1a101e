// One bench run: a profile's variants run back to back against one target, each with a fresh
// engine, recorder and the same seeded schedule and request sequence, so variants differ only in
// what the variant changes (client retries, switches). Timeline events fire at their times and
// server gauges are scraped each interval; everything lands in one LoadRunData. A variant whose
// switches cannot be set, or an admin API that refuses the token, stops the bench with an error
// rather than measure something the profile does not describe; a timeline event that fails is a
// note and a failed entry of the variant's timeline.
import {performance} from 'node:perf_hooks'
import {StreamctlError} from '../errors.js'
import {gaugeScraper, type GaugeSample} from '../measure/gauge-scraper.js'
import type {IntervalData, LoadRunData, TimelineRecord, VariantData} from '../measure/run-data.js'
import {amplification, E2E_SERIES, LOAD_DATA_VERSION, originalRequests} from '../measure/run-data.js'
import type {AdminClient, AdminResult} from '../load/admin-client.js'
import {adminClient, setVariantSwitches, throwIfRefused, usesAdminApi, type AdminSettings} from './admin-access.js'
import {HttpTarget} from '../load/http-client.js'
import type {BenchProgress, SeriesProgress} from './progress-view.js'
import {inFlightCap, variantEngine, type EngineOptions} from './engine-setup.js'
import {isComponentFault, type TimelineAction, type VariantSpec} from '../load/profile.js'
import type {ComponentFault} from '../stack/component-faults.js'
import {planRun, type RunPlan} from './plan.js'

export interface BenchOptions extends AdminSettings, EngineOptions {
  /** Performs the timeline's kill, pause, resume and restart actions (stack/component-faults.ts); none: skipped with a note. */
  faults?: ComponentFaultInjector
  scrapeUrls?: string[]
  onProgress?: (progress: BenchProgress) => void
  /** The warm-up's open connections, for the first variant (runBench closes them if unused). */
  warmTarget?: HttpTarget
  /** Each closed interval, as recorded (abortOnFail SLA targets watch these). */
  onInterval?: (variant: string, interval: IntervalData) => void
  signal?: AbortSignal
}

export interface ComponentFaultInjector {
  perform(fault: ComponentFault, component: string): Promise<AdminResult>
}

export async function runBench(options: BenchOptions): Promise<LoadRunData> {
  const {profile} = options
  const plan = planRun(profile, options.overrides)
  const chosen = chosenVariants(options)
  const admin = await adminClient(options)
  const usesSwitches = usesAdminApi(profile, chosen, plan.timeline)
  if (usesSwitches && !admin)
    options.onNote?.('no admin API for this target: timeline events and variant switches are skipped')
  if (plan.timeline.some(isComponentFault) && !options.faults)
    options.onNote?.('no local stack to act on: kill, pause, resume and restart events are skipped')
  const startedAt = new Date()
  const results: VariantData[] = []
  let failure: unknown
  // The connections of the warm-up before a variant, until that variant takes them.
  let warm = options.warmTarget
  try {
    for (const [index, variant] of chosen.entries()) {
      if (options.signal?.aborted) break
      if (index > 0 && profile.warmupBefore === 'each-variant') {
        const warmed = await warmUp(options, variant)
        warm = warmed?.target
        if (warmed)
          options.onNote?.(
            `${variant.name}: warm-up: ${warmed.requests} requests in ${(warmed.durationMs / 1000).toFixed(1)} s, not recorded`,
          )
      }
      if (admin && usesSwitches) await setVariantSwitches(admin, variant, options)
      const target = warm
      warm = undefined
      results.push(
        await runVariant(
          options,
          plan,
          variant,
          index,
          chosen.length,
          admin && usesSwitches ? admin : undefined,
          target,
        ),
      )
    }
  } catch (error) {
    failure = error
    throw error
  } finally {
    await warm?.close()
    // Also when a variant fails: a calibration's costs left on would slow every later run unseen
    // (but not with a token the admin API refused: it would refuse this too).
    const refused = failure instanceof StreamctlError && failure.code === 'ADMIN_UNAUTHORIZED'
    if (admin && usesSwitches && !refused) {
      const reset = await admin.clearSwitches()
      if (!reset.ok)
        options.onNote?.(
          `the switches could not be reset after the run through the admin API at ${admin.baseUrl} (${reset.error}): the stack may still have faults, interventions or costs on`,
        )
    }
  }
  const finishedAt = new Date()
  return {
    loadDataVersion: LOAD_DATA_VERSION,
    profile: profile.name,
    ...(profile.file ? {profileFile: profile.file} : {}),
    target: options.targetUrl,
    model: profile.model,
    seed: plan.seed,
    ...(options.shard && options.shard.count > 1 ? {shard: options.shard} : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    variants: results,
  }
}

/** Each phase's span: a stage's segments (a peak stage's parts are phases of their own) joined. */
function phaseWindows(plan: RunPlan): NonNullable<VariantData['phaseWindows']> {
  const windows: NonNullable<VariantData['phaseWindows']> = []
  for (const segment of plan.segments) {
    const last = windows.at(-1)
    if (last?.name === segment.phase) last.endMs = segment.startMs + segment.durationMs
    else windows.push({name: segment.phase, startMs: segment.startMs, endMs: segment.startMs + segment.durationMs})
  }
  return windows
}

/** The variants a run measures: the profile's (or one default), narrowed by --variant; an unknown name is a usage error. */
function chosenVariants(options: BenchOptions): VariantSpec[] {
  const {profile, overrides} = options
  const variants: VariantSpec[] = profile.variants.length > 0 ? profile.variants : [{name: 'default'}]
  const picked = overrides?.variants ?? []
  const unknown = picked.filter((name) => !variants.some((variant) => variant.name === name))
  if (unknown.length > 0) {
    throw new StreamctlError(
      'INVALID_FLAG',
      `--variant ${unknown.join(', ')}: profile "${profile.name}" has no such variant`,
      {hint: `Its variants: ${variants.map((variant) => variant.name).join(', ')}.`},
    )
  }
  return picked.length > 0 ? variants.filter((variant) => picked.includes(variant.name)) : variants
}

/**
 * Before anything is sent (the warm-up included): when the run will call the admin API, a read of
 * the switches shows whether it takes the token, so a refused one stops the bench at once.
 */
export async function checkAdminAccess(options: BenchOptions): Promise<void> {
  const admin = await adminClient(options)
  if (!admin || !usesAdminApi(options.profile, chosenVariants(options), options.profile.timeline)) return
  await throwIfRefused(admin, await admin.readSwitches(), options)
}

/**
 * The warm-up: the profile's requests, sent for `warmupMs` (`--warmup`, or the profile's `warmup`)
 * at the run's starting rate (the closed model: its VUs) and not recorded, so the first seconds of
 * the run do not measure JIT compilation, new connections and cold caches on either side. wrk2
 * leaves its first 10 s out of its figures for the same reason. Returns what it sent, or undefined
 * when there is no warm-up.
 */
export async function warmUp(
  options: BenchOptions,
  variant: VariantSpec = options.profile.variants[0] ?? {name: 'default'},
): Promise<WarmUp | undefined> {
  const plan = planRun(options.profile, options.overrides)
  const warmupMs = options.overrides?.warmupMs ?? options.profile.warmupMs ?? 0
  if (warmupMs <= 0 || options.signal?.aborted) return undefined
  // warmupBefore: each-variant: every variant warms up with every switch at its default (no faults,
  // interventions or simulated costs), so each starts from the same warm caches, not from what the
  // run before it left (a cache storm's cold cache).
  const admin = options.profile.warmupBefore === 'each-variant' ? await adminClient(options) : undefined
  if (admin) {
    const cleared = await admin.clearSwitches()
    if (!cleared.ok) options.onNote?.(`the switches could not be cleared for the warm-up (${cleared.error})`)
  }
  const rate =
    plan.segments.map((segment) => segment.fromRate || segment.toRate).find((value) => value > 0) ?? plan.rate
  const first = plan.segments[0]
  const segments = [
    {
      phase: 'warmup',
      startMs: 0,
      durationMs: warmupMs,
      fromRate: rate,
      toRate: rate,
      arrival: first?.arrival ?? options.profile.arrival,
    },
  ]
  // The pool is sized for the run, not the warm-up's rate: the run goes on with its connections.
  const target = new HttpTarget(options.targetUrl, {connections: inFlightCap(options, plan)})
  const {engine, recorder} = variantEngine(options, {...plan, durationMs: warmupMs, segments}, variant, target)
  const abort = () => engine.stop()
  options.signal?.addEventListener('abort', abort, {once: true})
  const started = performance.now()
  try {
    await engine.run(() => {})
  } catch (error) {
    await target.close()
    throw error
  } finally {
    options.signal?.removeEventListener('abort', abort)
  }
  const requests = Object.entries(recorder.totalsData()).reduce(
    (sum, [name, series]) => sum + (name === 'e2e' ? 0 : series.counts.attempts),
    0,
  )
  return {
    requests,
    durationMs: Math.round(performance.now() - started),
    ...(options.profile.model === 'open' ? {rate} : {}),
    target,
  }
}

export interface WarmUp {
  /** Requests sent, unrecorded. */
  requests: number
  durationMs: number
  rate?: number
  /** Its connections, still open: the variant after it runs on them (and closes them). */
  target: HttpTarget
}

async function runVariant(
  options: BenchOptions,
  plan: RunPlan,
  variant: VariantSpec,
  index: number,
  count: number,
  admin: AdminClient | undefined,
  warmed: HttpTarget | undefined,
): Promise<VariantData> {
  const scrape = options.scrapeUrls?.length ? await gaugeScraper(options.scrapeUrls) : undefined
  const {engine, target, recorder, settings} = variantEngine(options, plan, variant, warmed)
  const {retry, timeoutMs, maxInFlight} = settings
  const {profile} = options
  const abort = () => engine.stop()
  options.signal?.addEventListener('abort', abort, {once: true})
  const startedAt = new Date()
  const wallStart = performance.now()
  const timeline: TimelineRecord[] = []
  const faults = options.faults
  const timers = plan.timeline.flatMap((event) => {
    const {atMs, ...action} = event
    const perform = isComponentFault(action)
      ? faults && (() => faults.perform(action.action, action.component))
      : admin && (() => admin.perform(action))
    if (!perform) return []
    return [
      setTimeout(async () => {
        const firedAtMs = engine.now()
        const result = await perform()
        timeline.push({atMs, firedAtMs, action: action.action, ...timelineDetail(action), ...result})
        options.onNote?.(
          `${variant.name}: ${action.action}${isComponentFault(action) ? ` ${action.component}` : ''} at ${(firedAtMs / 1000).toFixed(1)}s ${result.ok ? 'ok' : `failed (${result.error})`}`,
        )
      }, atMs),
    ]
  })
  const gauges: GaugeSample[] = []
  const scrapes: Array<Promise<void>> = []
  const polls = profile.requests.some((spec) => spec.poll)
  const progress = (nowMs: number) => {
    const interval = recorder.intervals.at(-1)
    if (scrape) scrapes.push(scrape(nowMs).then((sample) => void gauges.push(sample)))
    if (interval) options.onInterval?.(variant.name, interval)
    if (!interval || !options.onProgress) return
    const seconds = Math.max(interval.durationMs, 1) / 1000
    const errors: Record<string, number> = {}
    let retries = 0
    let late = 0
    let dropped = 0
    const figures: SeriesProgress[] = []
    for (const [seriesName, series] of Object.entries(interval.series)) {
      for (const [name, value] of Object.entries(series.counts.attemptErrors))
        if (value > 0) errors[name] = (errors[name] ?? 0) + value
      retries += series.counts.retries
      late += series.counts.late
      // e2e repeats the drops of the generates it follows.
      if (seriesName !== E2E_SERIES) dropped += series.counts.dropped
      if (series.counts.requests > 0)
        figures.push({
          name: seriesName,
          requests: series.counts.requests,
          succeeded: series.counts.succeeded,
          p99: series.latency.p99,
        })
    }
    options.onProgress({
      variant: variant.name,
      variantIndex: index,
      variants: count,
      phase: engine.status.phase,
      elapsedMs: nowMs,
      durationMs: plan.durationMs,
      offeredRate: interval.offered / seconds,
      sentRate: interval.sent / seconds,
      polls,
      inFlight: engine.status.inFlight,
      series: figures,
      errors,
      retries,
      late,
      dropped,
    })
  }
  let outcome
  try {
    outcome = await engine.run(progress)
  } finally {
    timers.forEach((timer) => clearTimeout(timer))
    options.signal?.removeEventListener('abort', abort)
    await target.close()
  }
  await Promise.all(scrapes)
  const totals = recorder.totalsData()
  const {succeeded} = originalRequests(totals)
  const durationMs = Math.max(plan.durationMs, 1)
  return {
    name: variant.name,
    ...(variant.description ? {description: variant.description} : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - wallStart),
    phaseWindows: phaseWindows(plan),
    settings: {
      retry,
      timeoutMs,
      maxInFlight,
      whenCapped: profile.whenCapped,
      sendStrategy: settings.sendStrategy,
      rate: plan.rate,
      ...(variant.switches ? {switches: variant.switches} : {}),
      ...(profile.calibration && admin
        ? {calibration: {name: profile.calibration.name, costs: profile.calibration.costs}}
        : {}),
    },
    totals,
    phases: recorder.phasesData(),
    intervals: recorder.intervals,
    timeline: timeline.sort((a, b) => a.atMs - b.atMs),
    amplification: amplification(totals),
    goodput: succeeded / (durationMs / 1000),
    sendLag: recorder.sendLagSummary(),
    pool: engine.pool.report(),
    abandoned: outcome.abandoned,
    stoppedEarly: outcome.stoppedEarly,
    gauges: gauges.sort((a, b) => a.atMs - b.atMs),
  }
}

function timelineDetail(action: TimelineAction): {detail?: unknown} {
  if (action.action === 'switches') return {detail: action.switches}
  if (action.action === 'content-drop' && action.count !== undefined) return {detail: {count: action.count}}
  if (isComponentFault(action)) return {detail: {component: action.component}}
  return {}
}
