// Pure pieces of the worker's resilience: backoff with full jitter and the circuit breaker.
import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../src/lib/random/seeded.js'
import {backoffDelayMs} from '../../src/services/runtime/backoff.js'
import {BREAKER_CLOSED, BREAKER_HALF_OPEN, BREAKER_OPEN, CircuitBreaker} from '../../src/services/worker/breaker.js'

describe('backoff with full jitter', () => {
  it('stays within an exponentially growing ceiling, capped, and spreads retries out', () => {
    const random = seededRandom(3)
    for (let attempt = 1; attempt <= 10; attempt++) {
      const ceiling = Math.min(5000, 100 * 2 ** (attempt - 1))
      const delays = Array.from({length: 50}, () => backoffDelayMs(attempt, 100, 5000, random))
      expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling)
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0)
      expect(new Set(delays.map((delay) => Math.round(delay))).size).toBeGreaterThan(10)
    }
    expect(backoffDelayMs(3, 100, 5000, () => 0.999)).toBeCloseTo(399.6)
  })
})

describe('circuit breaker', () => {
  it('opens after the threshold, lets one trial through after the open time, and closes on success', () => {
    let now = 0
    const states: number[] = []
    const breaker = new CircuitBreaker(
      3,
      1000,
      (state) => states.push(state),
      () => now,
    )
    breaker.failure()
    breaker.failure()
    expect(breaker.allow()).toBe(true)
    breaker.failure()
    expect(breaker.current).toBe(BREAKER_OPEN)
    expect(breaker.allow()).toBe(false)
    now = 1000
    expect(breaker.allow()).toBe(true) // the one trial
    expect(breaker.current).toBe(BREAKER_HALF_OPEN)
    expect(breaker.allow()).toBe(false)
    breaker.failure() // the trial failed: open again
    expect(breaker.current).toBe(BREAKER_OPEN)
    now = 2500
    expect(breaker.allow()).toBe(true)
    breaker.success()
    expect(breaker.current).toBe(BREAKER_CLOSED)
    expect(states).toEqual([BREAKER_OPEN, BREAKER_HALF_OPEN, BREAKER_OPEN, BREAKER_HALF_OPEN, BREAKER_CLOSED])
  })

  it('counts consecutive failures only', () => {
    const breaker = new CircuitBreaker(2, 1000)
    breaker.failure()
    breaker.success()
    breaker.failure()
    expect(breaker.current).toBe(BREAKER_CLOSED)
  })
})
