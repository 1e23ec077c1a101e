// What a LoadEngine is told (model, schedule or virtual users, caps, timeouts, retries) and what
// it reports while running and at the end.
import type {ArrivalSchedule} from './arrival-schedule.js'
import type {RetryPolicy} from './retry-policy.js'

/**
 * How the engine waits for a send's intended time:
 * - clock: a helper thread sleeps to the microsecond and wakes the loop (precise, idle when idle);
 * - spin: timers until 1.5 ms before, then polling the loop (precise, keeps a core busy);
 * - timer: Node's timers only (cheapest, one to two milliseconds late).
 */
export type SendStrategy = 'clock' | 'spin' | 'timer'

/** Below this open-model rate (req/s), every send gets a precise wake-up of its own, for little CPU. */
export const CLOCK_BELOW_RATE = 1000
/** From this rate, the loop is busy with replies anyway, and precise wake-ups cost little more. */
export const CLOCK_FROM_RATE = 10_000

/**
 * The send strategy for `auto`, by the run's peak rate per process. A precise wake-up costs a turn
 * of the loop (measured: 5,000/s on timers 4.4 CPU s per 100k requests, on the clock 8.5–9.1):
 * worth it at a low rate, where there are few, and at a high one, where replies keep the loop
 * turning anyway; a middling rate sends on timers and on replies, the cheapest, to a millisecond
 * or so. The closed model sends on replies and think time, where timers are all it needs.
 */
export function chooseSendStrategy(
  precision: 'auto' | SendStrategy,
  model: 'open' | 'closed',
  peakRate: number,
): SendStrategy {
  if (precision !== 'auto') return precision
  if (model === 'closed') return 'timer'
  return peakRate < CLOCK_BELOW_RATE || peakRate >= CLOCK_FROM_RATE ? 'clock' : 'timer'
}

export interface EngineSettings {
  model: 'open' | 'closed'
  /** Open model: when each request is meant to start. */
  schedule?: ArrivalSchedule
  /** Closed model: virtual users, each sending, waiting for the outcome, then thinking. */
  vus?: number
  thinkTimeMs?: number
  /** How long originals are issued for (the curve's length in the open model). */
  durationMs: number
  /** The cap on requests in flight, which is also the most connections the pool may open. */
  maxInFlight: number
  /** Open model: connections the pool starts with (then grows by Little's law); 16 unless told. */
  initialPool?: number
  /** At the cap: wait for a free slot (the request is late) or drop the request. */
  whenCapped: 'queue' | 'drop'
  /** A send this much later than its intended start counts as late. */
  lateAfterMs: number
  timeoutMs: number
  retry: RetryPolicy
  intervalMs: number
  /** After the last original, how long to wait for retries, polls and in-flight requests. */
  drainTimeoutMs: number
  seed: number
  /** How the loop waits for the next due send (see SendStrategy); 'timer' unless told. */
  sendStrategy?: SendStrategy
  /** Phase name in the closed model. */
  phase?: string
}

export interface EngineOutcome {
  durationMs: number
  /** Requests still in flight or waiting for a retry/poll when the drain timed out. */
  abandoned: number
  stoppedEarly: boolean
}

export interface LiveStatus {
  elapsedMs: number
  inFlight: number
  phase: string
}
