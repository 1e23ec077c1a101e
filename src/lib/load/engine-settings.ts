// What a LoadEngine is told (model, schedule or virtual users, caps, timeouts, retries) and what
// it reports while running and at the end.
import type {ArrivalSchedule} from './arrival-schedule.js'
import type {RetryPolicy} from './retry-policy.js'

export interface EngineSettings {
  model: 'open' | 'closed'
  /** Open model: when each request is meant to start. */
  schedule?: ArrivalSchedule
  /** Closed model: virtual users, each sending, waiting for the outcome, then thinking. */
  vus?: number
  thinkTimeMs?: number
  /** How long originals are issued for (the curve's length in the open model). */
  durationMs: number
  maxInFlight: number
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
  /** The loop stops sleeping on timers this close (ms) to a due send and polls instead. */
  spinMs?: number
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
