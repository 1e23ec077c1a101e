// Client retry policies, the way real clients (and retry storms) behave: none, immediate, fixed,
// or exponential backoff with jitter; which failures are retried; Retry-After honoured; and a retry
// budget (Finagle-style: retries may add at most `ratio` of the original load, plus a small floor)
// that stops retries from multiplying an overload.
import type {ErrorClass} from '../measure/outcome.js'
import type {SeededRandom} from '../random/seeded.js'

export type RetryKind = 'none' | 'immediate' | 'fixed' | 'exponential'
export type Jitter = 'none' | 'full' | 'equal'

export interface RetryBudgetSpec {
  /** Retries allowed per original request, on average (0.1 = retries add at most 10%). */
  ratio: number
  /** Retries allowed per second regardless of the ratio. */
  minPerSecond: number
  /** Most retries that can be saved up. */
  maxBalance: number
}

export interface RetryPolicy {
  kind: RetryKind
  /** Attempts in total, the first included. */
  maxAttempts: number
  /** fixed: the delay; exponential: the first delay. */
  delayMs: number
  maxDelayMs: number
  multiplier: number
  jitter: Jitter
  on: ErrorClass[]
  honourRetryAfter: boolean
  budget?: RetryBudgetSpec
}

export const NO_RETRIES: RetryPolicy = {
  kind: 'none',
  maxAttempts: 1,
  delayMs: 0,
  maxDelayMs: 0,
  multiplier: 2,
  jitter: 'none',
  on: [],
  honourRetryAfter: true,
}

export const DEFAULT_RETRY_ON: ErrorClass[] = ['timeout', 'http5xx', 'http429', 'connection']

/** Whether a failed attempt (number `attempt`, 1-based) may be retried under the policy. */
export function shouldRetry(policy: RetryPolicy, error: ErrorClass, attempt: number): boolean {
  return policy.kind !== 'none' && attempt < policy.maxAttempts && policy.on.includes(error)
}

/** The wait before retry number `retry` (1-based), in ms. */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: SeededRandom,
): number {
  let delay: number
  switch (policy.kind) {
    case 'none':
    case 'immediate':
      delay = 0
      break
    case 'fixed':
      delay = policy.delayMs
      break
    case 'exponential':
      delay = Math.min(policy.maxDelayMs, policy.delayMs * policy.multiplier ** (retry - 1))
      break
  }
  if (policy.jitter === 'full') delay = random.next() * delay
  else if (policy.jitter === 'equal') delay = delay / 2 + (random.next() * delay) / 2
  if (policy.honourRetryAfter && retryAfterMs !== undefined) delay = Math.max(delay, retryAfterMs)
  return delay
}

/** A token bucket: each original deposits `ratio`, time adds `minPerSecond`, a retry takes one. */
export class RetryBudget {
  private balance: number
  private lastMs: number

  constructor(
    private readonly spec: RetryBudgetSpec,
    nowMs: number,
  ) {
    this.balance = Math.min(spec.maxBalance, spec.minPerSecond)
    this.lastMs = nowMs
  }

  deposit(): void {
    this.balance = Math.min(this.spec.maxBalance, this.balance + this.spec.ratio)
  }

  tryWithdraw(nowMs: number): boolean {
    if (this.spec.minPerSecond > 0) {
      this.balance = Math.min(
        this.spec.maxBalance,
        this.balance + ((nowMs - this.lastMs) / 1000) * this.spec.minPerSecond,
      )
    }
    this.lastMs = nowMs
    // A tiny epsilon keeps float sums such as 10 × 0.1 from falling just short of a whole retry.
    if (this.balance + 1e-9 < 1) return false
    this.balance -= 1
    return true
  }
}
