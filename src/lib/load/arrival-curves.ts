// Arrival curves: the rate over time a profile asks for, as stages (constant, ramp, step, Poisson,
// and the peak-hour curve) that expand into linear rate segments the schedule walks through.

export type ArrivalProcess = 'uniform' | 'poisson'

/** A piece of the curve where the rate moves linearly from `fromRate` to `toRate` (req/s). */
export interface RateSegment {
  phase: string
  startMs: number
  durationMs: number
  fromRate: number
  toRate: number
  arrival: ArrivalProcess
}

/** The share of a peak stage spent in each part of the 8-11 PM curve. */
export interface PeakShape {
  baseline: number
  rampUp: number
  hold: number
  rampDown: number
}

export const DEFAULT_PEAK_SHAPE: PeakShape = {baseline: 0.2, rampUp: 0.2, hold: 0.4, rampDown: 0.2}

interface StageBase {
  name?: string
  durationMs: number
  arrival?: ArrivalProcess
}

export type Stage =
  | (StageBase & {curve: 'constant' | 'poisson'; rate: number})
  | (StageBase & {curve: 'ramp'; from: number; to: number})
  | (StageBase & {curve: 'step'; from: number; to: number; steps: number})
  | (StageBase & {curve: 'peak'; base: number; factor: number; shape?: PeakShape})

/** Expands stages, in order, into rate segments starting at 0 ms. */
export function buildSegments(stages: readonly Stage[], defaultArrival: ArrivalProcess = 'uniform'): RateSegment[] {
  const segments: RateSegment[] = []
  let at = 0
  const push = (phase: string, durationMs: number, fromRate: number, toRate: number, arrival: ArrivalProcess) => {
    if (durationMs <= 0) return
    segments.push({phase, startMs: at, durationMs, fromRate, toRate, arrival})
    at += durationMs
  }
  stages.forEach((stage, index) => {
    const phase = stage.name ?? `${stage.curve}-${index + 1}`
    const arrival = stage.arrival ?? (stage.curve === 'poisson' ? 'poisson' : defaultArrival)
    switch (stage.curve) {
      case 'constant':
      case 'poisson':
        push(phase, stage.durationMs, stage.rate, stage.rate, arrival)
        break
      case 'ramp':
        push(phase, stage.durationMs, stage.from, stage.to, arrival)
        break
      case 'step': {
        const width = stage.durationMs / stage.steps
        for (let step = 0; step < stage.steps; step++) {
          const rate = stage.steps === 1 ? stage.to : stage.from + ((stage.to - stage.from) * step) / (stage.steps - 1)
          push(phase, width, rate, rate, arrival)
        }
        break
      }
      case 'peak': {
        const shape = stage.shape ?? DEFAULT_PEAK_SHAPE
        const total = shape.baseline + shape.rampUp + shape.hold + shape.rampDown
        const part = (share: number) => (stage.durationMs * share) / total
        const high = stage.base * stage.factor
        const prefix = stage.name ? `${stage.name}.` : ''
        push(`${prefix}baseline`, part(shape.baseline), stage.base, stage.base, arrival)
        push(`${prefix}ramp-up`, part(shape.rampUp), stage.base, high, arrival)
        push(`${prefix}peak`, part(shape.hold), high, high, arrival)
        push(`${prefix}ramp-down`, part(shape.rampDown), high, stage.base, arrival)
        break
      }
    }
  })
  return segments
}

/** Requests a segment asks for: the integral of its rate. */
export function segmentCount(segment: RateSegment): number {
  return ((segment.fromRate + segment.toRate) / 2) * (segment.durationMs / 1000)
}

/** Time into the segment (ms) at which `count` requests have been asked for: the inverse integral. */
export function segmentTimeAt(segment: RateSegment, count: number): number {
  const seconds = segment.durationMs / 1000
  const b = segment.fromRate
  const a = (segment.toRate - segment.fromRate) / (2 * seconds)
  if (Math.abs(a) < 1e-12) return b === 0 ? segment.durationMs : (count / b) * 1000
  // a t² + b t − count = 0, in the form that stays stable when a is small or negative.
  const root = Math.sqrt(Math.max(0, b * b + 4 * a * count))
  const t = b + root === 0 ? 0 : (2 * count) / (b + root)
  return Math.min(segment.durationMs, t * 1000)
}

/** The rate (req/s) at `ms` since the start, 0 outside the curve. */
export function rateAt(segments: readonly RateSegment[], ms: number): number {
  for (const segment of segments) {
    if (ms >= segment.startMs && ms < segment.startMs + segment.durationMs) {
      return segment.fromRate + ((segment.toRate - segment.fromRate) * (ms - segment.startMs)) / segment.durationMs
    }
  }
  return 0
}

export function curveDurationMs(segments: readonly RateSegment[]): number {
  const last = segments.at(-1)
  return last ? last.startMs + last.durationMs : 0
}

export function peakRate(segments: readonly RateSegment[]): number {
  return Math.max(0, ...segments.map((segment) => Math.max(segment.fromRate, segment.toRate)))
}
