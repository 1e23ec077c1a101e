import {describe, expect, it} from 'vitest'
import {parseRetryAfter} from '../../src/lib/load/http-client.js'
import {SeededRandom} from '../../src/lib/random/seeded.js'
import {RetryBudget, retryDelayMs, shouldRetry, type RetryPolicy} from '../../src/lib/load/retry-policy.js'

const base: RetryPolicy = {
  kind: 'exponential',
  maxAttempts: 4,
  delayMs: 100,
  maxDelayMs: 500,
  multiplier: 2,
  jitter: 'none',
  on: ['timeout', 'http5xx', 'http429'],
  honourRetryAfter: true,
}
const random = new SeededRandom(1)

describe('retry policies', () => {
  it('retry only the classes asked for, up to maxAttempts', () => {
    expect(shouldRetry(base, 'timeout', 1)).toBe(true)
    expect(shouldRetry(base, 'http4xx', 1)).toBe(false)
    expect(shouldRetry(base, 'http5xx', 4)).toBe(false)
    expect(shouldRetry({...base, kind: 'none'}, 'timeout', 1)).toBe(false)
  })

  it('back off exponentially up to maxDelay, or not at all when immediate', () => {
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(base, retry, undefined, random))).toEqual([100, 200, 400, 500])
    expect(retryDelayMs({...base, kind: 'fixed'}, 3, undefined, random)).toBe(100)
    expect(retryDelayMs({...base, kind: 'immediate'}, 3, undefined, random)).toBe(0)
  })

  it('spread retries with jitter: full in [0, d), equal in [d/2, d)', () => {
    const full = Array.from({length: 500}, () => retryDelayMs({...base, jitter: 'full'}, 3, undefined, random))
    expect(Math.min(...full)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...full)).toBeLessThan(400)
    expect(new Set(full.map(Math.round)).size).toBeGreaterThan(100)
    const equal = Array.from({length: 500}, () => retryDelayMs({...base, jitter: 'equal'}, 3, undefined, random))
    expect(Math.min(...equal)).toBeGreaterThanOrEqual(200)
  })

  it('wait at least what Retry-After says, unless told to ignore it', () => {
    expect(retryDelayMs({...base, kind: 'immediate'}, 1, 2000, random)).toBe(2000)
    expect(retryDelayMs({...base, kind: 'immediate', honourRetryAfter: false}, 1, 2000, random)).toBe(0)
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})

describe('retry budget', () => {
  it('allows `ratio` retries per original request', () => {
    const budget = new RetryBudget({ratio: 0.1, minPerSecond: 0, maxBalance: 1000}, 0)
    let allowed = 0
    for (let i = 0; i < 1000; i++) {
      budget.deposit()
      if (budget.tryWithdraw(0)) allowed++
    }
    expect(allowed).toBe(100)
  })

  it('adds minPerSecond over time, capped at maxBalance', () => {
    const budget = new RetryBudget({ratio: 0, minPerSecond: 10, maxBalance: 5}, 0)
    let allowed = 0
    for (let i = 0; i < 100; i++) if (budget.tryWithdraw(10_000)) allowed++
    expect(allowed).toBe(5)
  })
})
