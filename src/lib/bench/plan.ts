// A profile made concrete for one run: `--duration` compresses or stretches the curve and the
// timeline together, `--rate` scales every rate, and `%` shares become milliseconds.
import {StreamctlError} from '../errors.js'
import {buildSegments, peakRate, type RateSegment, type Stage} from '../load/arrival-curves.js'
import type {LoadProfile, RateValue, Span, TimelineAction} from '../load/profile.js'

export interface RunOverrides {
  durationMs?: number
  warmupMs?: number
  rate?: number
  seed?: number
}

export type PlannedTimelineEvent = {atMs: number} & TimelineAction

export interface RunPlan {
  durationMs: number
  rate: number
  seed: number
  segments: RateSegment[]
  peakRate: number
  timeline: PlannedTimelineEvent[]
}

export function planRun(profile: LoadProfile, overrides: RunOverrides = {}): RunPlan {
  const absolute = profile.stages.reduce(
    (sum, stage) => sum + (stage.duration && 'ms' in stage.duration ? stage.duration.ms : 0),
    0,
  )
  const nominalTotal = profile.durationMs ?? absolute
  const durationMs = overrides.durationMs ?? nominalTotal
  if (!(durationMs > 0))
    throw new StreamctlError('PROFILE_INVALID', `profile "${profile.name}" has no duration`, {
      hint: 'Set `duration` in the profile or pass --duration.',
    })
  const unassigned = profile.stages.filter((stage) => stage.duration === undefined).length
  const assigned = profile.stages.reduce(
    (sum, stage) => sum + (stage.duration ? spanMs(stage.duration, nominalTotal) : 0),
    0,
  )
  const share = unassigned > 0 ? Math.max(0, nominalTotal - assigned) / unassigned : 0
  const nominal = profile.stages.map((stage) => (stage.duration ? spanMs(stage.duration, nominalTotal) : share))
  const nominalSum = nominal.reduce((sum, ms) => sum + ms, 0)
  const scale = nominalSum > 0 ? durationMs / nominalSum : 0
  const rate = overrides.rate ?? profile.rate
  const rateFactor = rate / profile.rate
  const resolve = (value: RateValue) => ('multiple' in value ? value.multiple * rate : value.perSecond * rateFactor)
  const stages: Stage[] = profile.stages.map((stage, index) => {
    const common = {
      ...(stage.name ? {name: stage.name} : {}),
      durationMs: nominal[index]! * scale,
      ...(stage.arrival ? {arrival: stage.arrival} : {}),
    }
    switch (stage.curve) {
      case 'constant':
      case 'poisson':
        return {...common, curve: stage.curve, rate: resolve(stage.rate)}
      case 'ramp':
        return {...common, curve: 'ramp', from: resolve(stage.from), to: resolve(stage.to)}
      case 'step':
        return {...common, curve: 'step', from: resolve(stage.from), to: resolve(stage.to), steps: stage.steps}
      case 'peak':
        return {
          ...common,
          curve: 'peak',
          base: resolve(stage.rate),
          factor: stage.factor,
          ...(stage.shape ? {shape: stage.shape} : {}),
        }
    }
  })
  const segments = buildSegments(stages, profile.arrival)
  const timeScale = nominalTotal > 0 ? durationMs / nominalTotal : 1
  const timeline = profile.timeline
    .map(({at, ...action}) => ({...action, atMs: 'fraction' in at ? at.fraction * durationMs : at.ms * timeScale}))
    .sort((a, b) => a.atMs - b.atMs)
  return {durationMs, rate, seed: overrides.seed ?? profile.seed, segments, peakRate: peakRate(segments), timeline}
}

function spanMs(span: Span, total: number): number {
  return 'fraction' in span ? span.fraction * total : span.ms
}
