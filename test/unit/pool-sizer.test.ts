// The pool's growth rule, as pure logic: Little's law with headroom, at most doubling per step,
// steps spaced in time, never past the cap, and no growth while the generator itself is saturated.
import {describe, expect, it} from 'vitest'
import {BUSY_LOOP, GROW_EVERY_MS, HEADROOM, PoolSizer} from '../../src/lib/load/pool-sizer.js'

const idle = () => 0.2
const busy = () => BUSY_LOOP + 0.05

/** A sizer that has seen `ratePerS` arrivals for a second and service times of `serviceMs`. */
function warmed(cap: number, initial: number, ratePerS: number, serviceMs: number): PoolSizer {
  const sizer = new PoolSizer(cap, initial)
  for (let at = 0; at <= 1000; at += 1000 / ratePerS) sizer.arrival(at)
  sizer.observe(serviceMs)
  return sizer
}

describe('PoolSizer', () => {
  it("grows toward Little's law with headroom, doubling at most, one step per interval", () => {
    // 2,000/s at 50 ms keeps 100 in flight; with headroom, 201 connections.
    const sizer = warmed(10_000, 16, 2000, 50)
    expect(sizer.wanted(0)).toBe(Math.ceil(2 * 50 * HEADROOM) + 1)
    let now = 1000
    const limits = [sizer.limit]
    for (let step = 0; step < 20; step++) {
      sizer.grow(now, 0, idle)
      limits.push(sizer.limit)
      // Asked again at once: too soon (or it has all it wants), so it names when to ask again.
      expect(sizer.grow(now + 1, 0, idle)).toBe(sizer.limit < 201 ? now + GROW_EVERY_MS : now + 1 + GROW_EVERY_MS)
      expect(sizer.limit).toBe(limits.at(-1))
      now += GROW_EVERY_MS
    }
    expect(limits.slice(0, 6)).toEqual([16, 32, 64, 128, 201, 201])
    for (let i = 1; i < limits.length; i++) expect(limits[i]!).toBeLessThanOrEqual(limits[i - 1]! * 2)
    expect(sizer.growth.map((step) => step.limit)).toEqual([32, 64, 128, 201])
  })

  it('never passes the cap, and says when the cap made a waiting send late', () => {
    const sizer = warmed(40, 16, 2000, 50)
    for (let now = 1000; now < 2000; now += GROW_EVERY_MS) sizer.grow(now, 0, idle)
    expect(sizer.limit).toBe(40)
    sizer.opened(38)
    sizer.opened(12)
    sizer.waitedSend(true)
    sizer.waitedSend(false)
    expect(sizer.report()).toEqual({cap: 40, peak: 38, waited: 2, cappedLate: 1})
  })

  it('does not grow when the law is satisfied: a fast service waits for a reply instead', () => {
    // 20,000/s at 0.2 ms keeps 4 in flight: 16 connections are plenty, whatever the backlog.
    const sizer = warmed(10_000, 16, 20_000, 0.2)
    expect(sizer.grow(1000, 0.1, idle)).toBe(1000 + GROW_EVERY_MS)
    expect(sizer.limit).toBe(16)
  })

  it('reads a stall from the age of the requests in flight before any of them returns', () => {
    const sizer = warmed(10_000, 16, 2000, 0.5)
    // 2,000/s at 0.5 ms needs 3 connections: at first, the 16 are plenty...
    expect(sizer.grow(1000, 0.25, idle)).toBe(1000 + GROW_EVERY_MS)
    // ...until nothing has come back for 300 ms (the requests out are 150 ms old on average).
    sizer.grow(1000 + GROW_EVERY_MS, 150, idle)
    expect(sizer.limit).toBe(32)
    expect(sizer.wanted(150)).toBe(2 * 300 * HEADROOM + 1)
  })

  it('at the cap, only a reply frees a connection: no need to ask again', () => {
    const sizer = warmed(16, 16, 2000, 50)
    expect(sizer.grow(1000, 0, idle)).toBeUndefined()
  })

  it('does not grow while the generator is saturated: its replies are late, not the service', () => {
    const sizer = warmed(10_000, 16, 2000, 50)
    expect(sizer.grow(1000, 0, busy)).toBe(1000 + GROW_EVERY_MS)
    expect(sizer.limit).toBe(16)
    sizer.grow(1000 + GROW_EVERY_MS, 0, idle)
    expect(sizer.limit).toBe(32)
  })
})
