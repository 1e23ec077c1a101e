// The one seeded generator, for everything that must repeat exactly for a seed: arrival times, the
// request mix, the users and content picked, template variables, seed data, simulated latencies.
// sfc32 seeded through splitmix32, one independent stream per purpose, so adding a draw in one
// place never shifts the others.

/** A deterministic generator of floats in [0, 1). */
export class SeededRandom {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number, stream = '') {
    let state = (Math.trunc(seed) ^ hashString(stream)) >>> 0
    const next = () => {
      state = (state + 0x9e3779b9) >>> 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
    for (let index = 0; index < 12; index++) this.next()
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4_294_967_296
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** An exponential variate with mean 1 (inter-arrival gaps of a unit-rate Poisson process). */
  exponential(): number {
    return -Math.log(1 - this.next())
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** A hex string of `length` characters. */
  hex(length: number): string {
    let out = ''
    while (out.length < length)
      out += Math.floor(this.next() * 4_294_967_296)
        .toString(16)
        .padStart(8, '0')
    return out.slice(0, length)
  }
}

/** FNV-1a, to derive a stream's seed from its name. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A draw in [0, 1), for code that wants a plain function: one SeededRandom stream behind it. */
export type Random = () => number

export function seededRandom(seed: number, stream = ''): Random {
  const random = new SeededRandom(seed, stream)
  return () => random.next()
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
