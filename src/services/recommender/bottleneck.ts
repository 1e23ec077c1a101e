// The recommender's published bottlenecks, reproducible on demand: vector search whose latency
// grows with concurrent searches (150 ms → 1 s in the StreamFlow design) and a CPU-bound ranking
// step. Both are off by default and set through the env (see config.ts).

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
