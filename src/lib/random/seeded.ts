// Seeded pseudo-random numbers, so anything a run draws (user tiers, latencies, failures) repeats
// exactly for the same seed. mulberry32: 32-bit state, uniform in [0, 1), fast and good enough for
// simulation (not for secrets).
export type Random = () => number

export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Picks a key of `weights` with probability proportional to its weight. */
export function pickWeighted<K extends string>(random: Random, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as Array<[K, number]>
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
  let draw = random() * total
  for (const [key, weight] of entries) {
    draw -= weight
    if (draw < 0) return key
  }
  return entries[entries.length - 1]![0]
}
