// The simulator's seeded latency model, calibrated to the published 200 ms–2 s: a log-normal draw
// (median LLM_LATENCY_MEDIAN_MS) clipped to [min, max], then scaled by the latency fault. The n-th
// call of a run with the same seed always draws the same latency and the same error coin.
import {seededRandom, type Random} from '../../lib/random/seeded.js'

export interface LatencyModelOptions {
  seed: number
  minMs: number
  maxMs: number
  medianMs: number
  /** Spread of the log-normal, in natural-log units. */
  sigma: number
}

export interface Draw {
  sequence: number
  latencyMs: number
  /** Uniform [0, 1): the call fails when below the current error rate. */
  errorCoin: number
}

export class LatencyModel {
  private readonly random: Random
  private sequence = 0

  constructor(readonly options: LatencyModelOptions) {
    this.random = seededRandom(options.seed)
  }

  /** The next draw; `override` replaces the median and bounds (a calibration's costs) for this call. */
  next(override: Partial<Pick<LatencyModelOptions, 'minMs' | 'maxMs' | 'medianMs'>> = {}): Draw {
    const {medianMs, minMs, maxMs, sigma} = {...this.options, ...override}
    // Box–Muller from two uniforms; both are drawn every call so the sequence never shifts.
    const u1 = Math.max(this.random(), Number.EPSILON)
    const u2 = this.random()
    const errorCoin = this.random()
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    const raw = medianMs * Math.exp(sigma * normal)
    const latencyMs = Math.min(Math.max(maxMs, minMs), Math.max(minMs, raw))
    return {sequence: ++this.sequence, latencyMs, errorCoin}
  }
}
