// Zipf-skewed popularity: rank k (1-based) is drawn with probability proportional to 1/k^s, so a
// few hot users (or titles) take most of the traffic, as in real populations.
import type {SeededRandom} from '../random/seeded.js'

export class ZipfSampler {
  private readonly cumulative: Float64Array

  constructor(
    readonly size: number,
    readonly exponent: number,
  ) {
    this.cumulative = new Float64Array(size)
    let sum = 0
    for (let rank = 1; rank <= size; rank++) {
      sum += 1 / rank ** exponent
      this.cumulative[rank - 1] = sum
    }
    for (let index = 0; index < size; index++) this.cumulative[index]! /= sum
  }

  /** A 0-based rank: 0 is the most popular. */
  sample(random: SeededRandom): number {
    const u = random.next()
    let low = 0
    let high = this.size - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.cumulative[middle]! < u) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Probability of a 0-based rank. */
  probability(rank: number): number {
    return this.cumulative[rank]! - (rank === 0 ? 0 : this.cumulative[rank - 1]!)
  }
}
