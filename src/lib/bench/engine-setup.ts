// A fresh engine for one variant of a planned run: its workload (the profile's requests over the
// seeded population), recorder, settings and HTTP target (new, or the warm-up's), with the in-flight
// cap that also sizes the connection pool.
import {ArrivalSchedule, type Shard} from '../load/arrival-schedule.js'
import {chooseSendStrategy, type EngineSettings} from '../load/engine-settings.js'
import {HttpTarget} from '../load/http-client.js'
import {LoadEngine} from '../load/load-engine.js'
import {MIN_POOL} from '../load/pool-sizer.js'
import {Population, type PopulationUser} from '../load/population.js'
import type {LoadProfile, VariantSpec} from '../load/profile.js'
import {compileRequestType, Workload} from '../load/workload.js'
import {RunRecorder} from '../measure/series-recorder.js'
import type {RunOverrides, RunPlan} from './plan.js'

export interface EngineOptions {
  profile: LoadProfile
  /** Base URL of the system under test. */
  targetUrl: string
  users: PopulationUser[]
  overrides?: RunOverrides & {maxInFlight?: number; variants?: string[]}
  shard?: Shard
}

/**
 * The in-flight cap, which bounds the connection pool: two seconds of the peak rate, within
 * bounds. The pool itself starts small and grows by Little's law (PoolSizer), so the cap is
 * reached only when the service is that slow for that long.
 */
export function defaultMaxInFlight(profile: LoadProfile, plan: RunPlan): number {
  if (profile.model === 'closed') return profile.vus
  return Math.min(10_000, Math.max(64, Math.ceil(plan.peakRate * 2)))
}

/** The in-flight cap of a run, which is also the size of its connection pool. */
export function inFlightCap(options: EngineOptions, plan: RunPlan): number {
  const {profile} = options
  // A request in flight holds a connection: with fewer connections than the cap, the excess would
  // wait inside the HTTP pool and look sent. Capping at the connection count keeps that wait in the
  // scheduler, where it is counted as late.
  const requestedCap = options.overrides?.maxInFlight ?? profile.maxInFlight ?? defaultMaxInFlight(profile, plan)
  return Math.min(requestedCap, profile.connections ?? requestedCap)
}

/** A fresh engine, workload and recorder for one variant of the plan, on a new HTTP target or a warmed one. */
export function variantEngine(
  options: EngineOptions,
  plan: RunPlan,
  variant: VariantSpec,
  warmed?: HttpTarget,
): {engine: LoadEngine; target: HttpTarget; recorder: RunRecorder; settings: EngineSettings} {
  const {profile} = options
  const shard = options.shard ?? {index: 0, count: 1}
  const maxInFlight = inFlightCap(options, plan)
  const population = new Population(options.users, profile.population.zipf, profile.population.content, plan.seed)
  const workload = new Workload(
    profile.requests.map((spec) => compileRequestType(spec, profile.vars)),
    population,
    plan.seed,
  )
  const target = warmed ?? new HttpTarget(options.targetUrl, {connections: maxInFlight})
  const recorder = new RunRecorder()
  const settings: EngineSettings = {
    model: profile.model,
    ...(profile.model === 'open' ? {schedule: new ArrivalSchedule(plan.segments, plan.seed, shard)} : {}),
    vus: Math.max(1, Math.round(profile.vus / shard.count)),
    thinkTimeMs: profile.thinkTimeMs,
    durationMs: plan.durationMs,
    maxInFlight,
    // The warm-up's connections are in use already: the pool starts with as many.
    ...(warmed ? {initialPool: Math.max(MIN_POOL, warmed.openConnections)} : {}),
    whenCapped: profile.whenCapped,
    lateAfterMs: profile.lateAfterMs,
    timeoutMs: variant.timeoutMs ?? profile.timeoutMs,
    retry: variant.retry ?? profile.retry,
    intervalMs: profile.intervalMs,
    drainTimeoutMs: profile.drainTimeoutMs,
    seed: plan.seed,
    sendStrategy: chooseSendStrategy(profile.sendPrecision, profile.model, plan.peakRate / shard.count),
  }
  return {engine: new LoadEngine(settings, workload, target, recorder), target, recorder, settings}
}
