// Capacity search's climb, bisection and knee, on a modelled system whose p99 rises with the rate:
// pure logic, so the trials are made-up run records (the e2e test runs the real thing).
import {describe, expect, it} from 'vitest'
import {DEFAULT_CAPACITY_PLAN, findCapacity, latencyKnee, type CapacityTrial} from '../../src/lib/bench/capacity.js'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import type {SlaStatus} from '../../src/lib/sla/evaluate.js'

/** A record of one step: p99 from the model, judged against `p(99)<thresholdMs`. */
function record(p99Ms: number, status: SlaStatus, rate: number): RunRecord {
  return {
    variants: [
      {
        name: 'default',
        durationMs: 2000,
        goodput: rate,
        totals: {'generate.accept': {latency: {count: 2 * rate, p99: p99Ms}}},
      },
    ],
    sla: {
      passed: status === 'pass',
      targets: [],
      results: [
        {
          name: 'generate.accept p(99)<50ms',
          metric: 'generate.accept',
          status,
          observed: {value: p99Ms, unit: 'ms'},
          observedText: `${p99Ms}ms`,
        },
      ],
    },
  } as unknown as RunRecord
}

/** p99 is 5 ms up to 400 req/s, then climbs 1 ms per 2 req/s: the target p(99)<50ms holds up to 490. */
const model = (rate: number) => (rate <= 400 ? 5 : 5 + (rate - 400) / 2)
const trial =
  (inconclusiveFrom = Infinity): CapacityTrial =>
  async (rate) => {
    const p99 = model(rate)
    const status: SlaStatus = rate >= inconclusiveFrom ? 'inconclusive' : p99 < 50 ? 'pass' : 'fail'
    return {record: record(p99, status, rate)}
  }

describe('capacity search', () => {
  it('climbs by the growth factor, then bisects to the precision, and reports the highest passing rate', async () => {
    const result = await findCapacity('steady', {...DEFAULT_CAPACITY_PLAN, startRate: 100}, trial())
    expect(result.steps.filter((step) => step.stage === 'climb').map((step) => step.rate)).toEqual([100, 200, 400, 800])
    expect(result.capacity).toBeGreaterThanOrEqual(0.95 * 490)
    expect(result.capacity).toBeLessThanOrEqual(490)
    expect(result.firstFailure! / result.capacity!).toBeLessThanOrEqual(1.05)
    expect(result.stoppedBy).toBe('precision')
    expect(result.series).toBe('generate.accept')
    expect(result.steps.find((step) => step.rate === 800)?.notPassed).toEqual([
      'generate.accept p(99)<50ms: failed (205ms)',
    ])
  })

  it('stops the climb at an inconclusive step: not knowing is not capacity', async () => {
    const result = await findCapacity('steady', {...DEFAULT_CAPACITY_PLAN, startRate: 100}, trial(300))
    expect(result.capacity).toBeLessThan(300)
    expect(result.firstFailure).toBeLessThanOrEqual(300)
    expect(result.steps.every((step) => step.rate < 300 || !step.passed)).toBe(true)
  })

  it('reports no capacity when the first step does not pass', async () => {
    const result = await findCapacity('steady', {...DEFAULT_CAPACITY_PLAN, startRate: 1000}, trial())
    expect(result.capacity).toBeUndefined()
    expect(result.firstFailure).toBe(1000)
    expect(result.stoppedBy).toBe('first-step')
    expect(result.steps).toHaveLength(1)
  })

  it('says when it reached the rate limit or the step limit without a failure', async () => {
    const capped = await findCapacity('steady', {...DEFAULT_CAPACITY_PLAN, startRate: 100, maxRate: 300}, trial())
    expect(capped).toMatchObject({capacity: 300, stoppedBy: 'max-rate'})
    expect(capped.firstFailure).toBeUndefined()
    const short = await findCapacity('steady', {...DEFAULT_CAPACITY_PLAN, startRate: 100, maxSteps: 2}, trial())
    expect(short).toMatchObject({capacity: 200, stoppedBy: 'max-steps'})
  })

  it('ends early when a trial is interrupted, keeping what it found', async () => {
    const stopAt: CapacityTrial = async (rate, stage) => (rate > 200 ? undefined : trial()(rate, stage))
    const result = await findCapacity('steady', {...DEFAULT_CAPACITY_PLAN, startRate: 100}, stopAt)
    expect(result).toMatchObject({capacity: 200, stoppedBy: 'interrupted'})
  })

  it('finds the knee where the latency curve turns up', () => {
    const steps = [100, 200, 300, 400, 450, 500, 600, 800].map((rate) => ({rate, p99Ms: model(rate)}))
    expect(latencyKnee(steps)?.rate).toBe(400)
    expect(latencyKnee(steps.slice(0, 2))).toBeUndefined()
    expect(latencyKnee([100, 200, 300].map((rate) => ({rate, p99Ms: 5})))).toBeUndefined()
  })
})
