import {describe, expect, it} from 'vitest'
import {buildSegments, curveDurationMs, rateAt, type Stage} from '../../src/lib/load/arrival-curves.js'
import {ArrivalSchedule} from '../../src/lib/load/arrival-schedule.js'

function drain(schedule: ArrivalSchedule): Array<{at: number; phase: string; index: number}> {
  const out = []
  while (!schedule.done) {
    out.push({at: schedule.nextAt, phase: schedule.phase, index: schedule.index})
    schedule.advance()
  }
  return out
}

/** Arrivals per 1 s bucket. */
function perSecond(times: number[], seconds: number): number[] {
  const buckets = new Array<number>(seconds).fill(0)
  for (const at of times) buckets[Math.min(seconds - 1, Math.floor(at / 1000))]!++
  return buckets
}

describe('arrival curves', () => {
  it('a constant curve sends exactly rate x duration, evenly spaced', () => {
    const arrivals = drain(new ArrivalSchedule(buildSegments([{curve: 'constant', rate: 100, durationMs: 5000}]), 1))
    expect(arrivals).toHaveLength(500)
    expect(
      perSecond(
        arrivals.map((a) => a.at),
        5,
      ),
    ).toEqual([100, 100, 100, 100, 100])
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeCloseTo(10, 6)
  })

  it('a ramp follows the line from `from` to `to`', () => {
    const segments = buildSegments([{curve: 'ramp', from: 0, to: 200, durationMs: 10_000}])
    const buckets = perSecond(
      drain(new ArrivalSchedule(segments, 1)).map((a) => a.at),
      10,
    )
    // The integral of a line over each second: 10, 30, 50, ... 190.
    buckets.forEach((count, second) => expect(Math.abs(count - (20 * second + 10))).toBeLessThanOrEqual(1))
    expect(rateAt(segments, 5000)).toBeCloseTo(100)
  })

  it('a step curve holds each level for an equal share', () => {
    const buckets = perSecond(
      drain(new ArrivalSchedule(buildSegments([{curve: 'step', from: 10, to: 40, steps: 4, durationMs: 8000}]), 1)).map(
        (a) => a.at,
      ),
      8,
    )
    expect(buckets).toEqual([10, 10, 20, 20, 30, 30, 40, 40])
  })

  it('a Poisson curve has the right mean and variance per interval', () => {
    const arrivals = drain(new ArrivalSchedule(buildSegments([{curve: 'poisson', rate: 200, durationMs: 60_000}]), 7))
    const buckets = perSecond(
      arrivals.map((a) => a.at),
      60,
    )
    const mean = buckets.reduce((sum, n) => sum + n, 0) / buckets.length
    const variance = buckets.reduce((sum, n) => sum + (n - mean) ** 2, 0) / buckets.length
    expect(mean).toBeGreaterThan(190)
    expect(mean).toBeLessThan(210)
    // Poisson: variance equals the mean (a uniform schedule would have variance 0).
    expect(variance).toBeGreaterThan(mean * 0.5)
    expect(variance).toBeLessThan(mean * 1.6)
  })

  it('the peak curve goes baseline, ramp to 3x, hold, ramp down, each a named phase', () => {
    const stage: Stage = {curve: 'peak', name: 'evening', base: 50, factor: 3, durationMs: 10_000}
    const segments = buildSegments([stage])
    expect(segments.map((s) => s.phase)).toEqual([
      'evening.baseline',
      'evening.ramp-up',
      'evening.peak',
      'evening.ramp-down',
    ])
    expect(curveDurationMs(segments)).toBe(10_000)
    const arrivals = drain(new ArrivalSchedule(segments, 1))
    const byPhase = new Map<string, number>()
    for (const arrival of arrivals) byPhase.set(arrival.phase, (byPhase.get(arrival.phase) ?? 0) + 1)
    // 2 s at 50, 2 s ramping 50→150, 4 s at 150, 2 s ramping 150→50.
    expect(byPhase.get('evening.baseline')).toBe(100)
    expect(Math.abs(byPhase.get('evening.ramp-up')! - 200)).toBeLessThanOrEqual(1)
    expect(byPhase.get('evening.peak')).toBe(600)
    expect(Math.abs(byPhase.get('evening.ramp-down')! - 200)).toBeLessThanOrEqual(1)
  })

  it('stages compose in order', () => {
    const segments = buildSegments([
      {curve: 'constant', name: 'warm', rate: 10, durationMs: 2000},
      {curve: 'constant', name: 'hot', rate: 100, durationMs: 1000},
    ])
    const buckets = perSecond(
      drain(new ArrivalSchedule(segments, 1)).map((a) => a.at),
      3,
    )
    expect(buckets).toEqual([10, 10, 100])
  })

  it('the same seed gives the same schedule, another seed a different one', () => {
    const segments = buildSegments([{curve: 'poisson', rate: 500, durationMs: 2000}])
    const first = drain(new ArrivalSchedule(segments, 42)).map((a) => a.at)
    const again = drain(new ArrivalSchedule(segments, 42)).map((a) => a.at)
    const other = drain(new ArrivalSchedule(segments, 43)).map((a) => a.at)
    expect(again).toEqual(first)
    expect(other).not.toEqual(first)
  })

  it('shards split the schedule: together they send exactly the whole of it', () => {
    const segments = buildSegments([{curve: 'poisson', rate: 300, durationMs: 3000}])
    const whole = drain(new ArrivalSchedule(segments, 5))
    const shards = [0, 1, 2].map((index) => drain(new ArrivalSchedule(segments, 5, {index, count: 3})))
    const merged = shards.flat().sort((a, b) => a.index - b.index)
    expect(merged).toEqual(whole)
    for (const shard of shards) expect(Math.abs(shard.length - whole.length / 3)).toBeLessThanOrEqual(1)
  })
})
