// The intended start time of every request of a run, generated lazily (constant memory for any
// run length) from the rate segments. The n-th arrival is where the integrated rate reaches the
// n-th point of a unit-rate process: evenly spaced points (uniform) or sums of exponential gaps
// (Poisson, by time rescaling). Seeded: the same seed gives the same schedule. A shard keeps every
// N-th arrival, so N shards together send exactly the full schedule.
import {segmentCount, segmentTimeAt, type RateSegment} from './arrival-curves.js'
import {SeededRandom} from '../random/seeded.js'

export interface Shard {
  index: number
  count: number
}

export class ArrivalSchedule {
  /** Intended start of the next request (ms since the run started); Infinity when the curve is done. */
  nextAt = Number.POSITIVE_INFINITY
  /** Phase (stage name) of the next request. */
  phase = ''
  /** Global index of the next request (the same in every shard). */
  index = -1
  private segment = 0
  private readonly totals: number[]
  /** Position, in requests since the current segment started, of the next arrival. */
  private position = 0
  private readonly random: SeededRandom

  constructor(
    private readonly segments: readonly RateSegment[],
    seed: number,
    private readonly shard: Shard = {index: 0, count: 1},
  ) {
    this.random = new SeededRandom(seed, 'arrivals')
    this.totals = segments.map(segmentCount)
    const first = segments[0]
    this.position = first?.arrival === 'poisson' ? this.random.exponential() : 0
    this.locate()
    while (this.nextAt !== Number.POSITIVE_INFINITY && this.index % shard.count !== shard.index) this.step()
  }

  advance(): void {
    do this.step()
    while (this.nextAt !== Number.POSITIVE_INFINITY && this.index % this.shard.count !== this.shard.index)
  }

  get done(): boolean {
    return this.nextAt === Number.POSITIVE_INFINITY
  }

  private step(): void {
    const current = this.segments[this.segment]
    this.position += current?.arrival === 'poisson' ? this.random.exponential() : 1
    this.locate()
  }

  /** Moves to the segment holding `position` and computes the arrival time there. */
  private locate(): void {
    while (this.segment < this.segments.length && this.position >= this.totals[this.segment]!) {
      this.position -= this.totals[this.segment]!
      this.segment++
    }
    const segment = this.segments[this.segment]
    if (!segment) {
      this.nextAt = Number.POSITIVE_INFINITY
      return
    }
    this.index++
    this.phase = segment.phase
    this.nextAt = segment.startMs + segmentTimeAt(segment, this.position)
  }
}
