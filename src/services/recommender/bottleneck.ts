// The recommender's published bottlenecks, reproducible on demand: vector search whose latency
// grows with concurrent searches (150 ms → 1 s in the StreamFlow design) and a CPU-bound ranking
// step, held in a bounded worker pool; profile queries of 50–500 ms. Each is off unless the
// service's env (config.ts) or the costs switches (a calibration, api.ts `Costs`) set it.

export interface VectorSearchLatency {
  /** Latency of a search alone, ms. */
  baseMs: number
  /** Latency once `saturation` searches run together, ms. */
  maxMs: number
  /** Concurrent searches at which the latency reaches maxMs. */
  saturation: number
}

/** Grows linearly from baseMs (one search) to maxMs (saturation or more searches in flight). */
export function vectorSearchLatencyMs(inFlight: number, model: VectorSearchLatency): number {
  if (model.maxMs <= 0 && model.baseMs <= 0) return 0
  const load = model.saturation <= 1 ? 1 : Math.min(1, Math.max(0, inFlight - 1) / (model.saturation - 1))
  return model.baseMs + (Math.max(model.maxMs, model.baseMs) - model.baseMs) * load
}

/** Spends CPU on purpose: `iterations` rounds of integer hashing, returning the hash so the work is not optimised away. */
export function burnCpu(iterations: number): number {
  let hash = 0x81_1c_9d_c5
  for (let index = 0; index < iterations; index++) hash = Math.imul(hash ^ index, 0x01_00_01_93) >>> 0
  return hash
}

/** The recommender's queue is full: the request is refused at once (503) rather than queued. */
export class PoolOverloadedError extends Error {}

/** The caller gave up while the ranking waited for a worker: it is not run. */
export class AbandonedError extends Error {}

/**
 * The engine's bounded worker pool: `workers` rankings run at once (0: no limit), up to
 * `queueLimit` more wait in order, and beyond that a ranking is refused at once. Sizes are read per
 * call, so a calibration switched at run time resizes it. It simulates the cores of a CPU-bound
 * engine as time held, not as this machine's CPU, so the cascade does not move with the instance.
 */
export class WorkerPool {
  private running = 0
  private readonly waiting: Array<() => void> = []

  /** Rankings waiting for a worker: the engine's queue. */
  get queued(): number {
    return this.waiting.length
  }

  get active(): number {
    return this.running
  }

  /** `abandoned`: asked when a worker comes free; a caller that has gone by then is not run (its worker goes to the next). */
  async run<T>(
    size: {workers: number; queueLimit: number},
    work: () => Promise<T>,
    abandoned: () => boolean = () => false,
  ): Promise<T> {
    if (size.workers > 0 && this.running >= size.workers) {
      if (size.queueLimit > 0 && this.waiting.length >= size.queueLimit)
        throw new PoolOverloadedError(
          `the recommender's queue is full (${this.waiting.length} waiting for ${size.workers} workers)`,
        )
      await new Promise<void>((resolve) => this.waiting.push(resolve))
      if (abandoned()) {
        this.release()
        throw new AbandonedError('the caller gave up while the ranking waited for a worker')
      }
    } else {
      this.running++
    }
    try {
      return await work()
    } finally {
      this.release()
    }
  }

  /** A worker comes free: the next waiting ranking takes it. */
  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }
}

/** A profile query's simulated latency: log-uniform in [minMs, maxMs] (0 when both are 0). */
export function profileQueryLatencyMs(minMs: number, maxMs: number, random: () => number): number {
  if (maxMs <= 0) return minMs
  const low = Math.max(minMs, 1)
  const high = Math.max(maxMs, low)
  return Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * random())
}
