// A circuit breaker around the LLM: after `threshold` consecutive failures it opens and calls are
// refused for `openMs`; then one trial call is let through (half-open), whose outcome closes or
// reopens it. States match the streamctl_breaker_state gauge: 0 closed, 1 half-open, 2 open.
export type BreakerState = 0 | 1 | 2
export const BREAKER_CLOSED = 0
export const BREAKER_HALF_OPEN = 1
export const BREAKER_OPEN = 2

export class CircuitBreaker {
  private failures = 0
  private openedAt = 0
  private trialInFlight = false
  private state: BreakerState = BREAKER_CLOSED

  constructor(
    readonly threshold: number,
    readonly openMs: number,
    private readonly onState: (state: BreakerState) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get current(): BreakerState {
    return this.state
  }

  /** Whether a call may go to the LLM now. */
  allow(): boolean {
    if (this.state === BREAKER_CLOSED) return true
    if (this.state === BREAKER_OPEN && this.now() - this.openedAt >= this.openMs) this.set(BREAKER_HALF_OPEN)
    if (this.state === BREAKER_HALF_OPEN && !this.trialInFlight) {
      this.trialInFlight = true
      return true
    }
    return false
  }

  success(): void {
    this.failures = 0
    this.trialInFlight = false
    this.set(BREAKER_CLOSED)
  }

  failure(): void {
    this.trialInFlight = false
    this.failures++
    if (this.state === BREAKER_HALF_OPEN || this.failures >= this.threshold) {
      this.openedAt = this.now()
      this.set(BREAKER_OPEN)
    }
  }

  /** Forget everything (the intervention was switched off). */
  reset(): void {
    this.failures = 0
    this.trialInFlight = false
    this.set(BREAKER_CLOSED)
  }

  private set(state: BreakerState): void {
    if (state === this.state) return
    this.state = state
    this.onState(state)
  }
}
