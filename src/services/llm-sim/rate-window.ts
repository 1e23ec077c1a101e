// A requests-per-minute limit over a sliding 60 s window, like an LLM provider's RPM limit.
export class RateWindow {
  private readonly accepted: number[] = []
  private head = 0

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  /** Admits a call now under `limit` (a calibration may change it at run time), or says how long until one would be admitted. */
  tryAcquire(now = Date.now(), limit = this.limit): {ok: true} | {ok: false; retryAfterMs: number} {
    while (this.head < this.accepted.length && this.accepted[this.head]! <= now - this.windowMs) this.head++
    if (this.head > 1024 && this.head * 2 > this.accepted.length) {
      this.accepted.splice(0, this.head)
      this.head = 0
    }
    if (this.accepted.length - this.head >= limit)
      return {ok: false, retryAfterMs: this.accepted[this.head]! + this.windowMs - now}
    this.accepted.push(now)
    return {ok: true}
  }
}
