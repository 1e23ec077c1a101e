// The load engine against real HTTP servers: rates honoured, latency free of coordinated omission
// (the stall test against its analytic truth), late and dropped requests at the in-flight cap, the
// connection pool's growth and cap (counted on the server), and the send strategy chosen by rate.
import {describe, expect, it} from 'vitest'
import {variantEngine} from '../../src/lib/bench/engine-setup.js'
import {planRun} from '../../src/lib/bench/plan.js'
import {runBench} from '../../src/lib/bench/run.js'
import {CLOCK_BELOW_RATE, CLOCK_FROM_RATE, chooseSendStrategy} from '../../src/lib/load/engine-settings.js'
import {GROW_EVERY_MS, MIN_POOL} from '../../src/lib/load/pool-sizer.js'
import {syntheticUsers} from '../../src/lib/load/population.js'
import {decodeHistogram} from '../../src/lib/measure/histogram.js'
import {sendLagText} from '../../src/lib/measure/summary-text.js'
import {profileFrom, serverPerTest, type TestServer} from '../helpers/http-servers.js'

const users = syntheticUsers(20)
const serve = serverPerTest()

describe('open-model scheduling', () => {
  it('sends what the curve asks for, and the server receives exactly that', async () => {
    let received = 0
    const server = await serve((request, response) => {
      received++
      request.resume()
      response.end('ok')
    })
    const profile = profileFrom(`
duration: 3s
rate: 100
stages:
  - {name: low, curve: constant, rate: 1x, duration: 2s}
  - {name: high, curve: constant, rate: 3x, duration: 1s}
requests:
  - {name: ping, method: GET, path: "/ping/{{user.id}}"}
`)
    const run = await runBench({profile, targetUrl: server.url, users})
    const [variant] = run.variants
    expect(received).toBe(500)
    expect(variant!.totals.ping!.counts).toMatchObject({
      requests: 500,
      succeeded: 500,
      attempts: 500,
      retries: 0,
      dropped: 0,
    })
    expect(variant!.phases.low!.ping!.counts.requests).toBe(200)
    expect(variant!.phases.high!.ping!.counts.requests).toBe(300)
    // Per-interval data adds up to the totals, and each interval's histogram is lossless.
    const intervals = variant!.intervals
    expect(intervals.reduce((sum, interval) => sum + interval.offered, 0)).toBe(500)
    expect(intervals.reduce((sum, interval) => sum + (interval.series.ping?.counts.requests ?? 0), 0)).toBe(500)
    const merged = decodeHistogram(intervals[0]!.series.ping!.latencyHistogram)
    for (const interval of intervals.slice(1))
      if (interval.series.ping) merged.add(decodeHistogram(interval.series.ping.latencyHistogram))
    expect(merged.totalCount).toBe(500)
    expect(variant!.amplification).toBe(1)
  })

  it('measures latency from the intended start: a stalling server gives the analytic percentiles', async () => {
    // The server freezes for S = 1.6 s of every P = 2 s. At a steady rate, a request arriving u ms
    // into a stall waits S − u; outside a stall it is served at once. So 20% of requests take ~0
    // and the rest are uniform on (0, S]: the q-quantile is (q − 0.2) × P. Three whole periods at
    // a uniform 50 req/s put a request every 20 ms of the stall, fine enough for 5%.
    const period = 2000
    const stall = 1600
    const started = performance.now()
    const held: Array<() => void> = []
    const releaseLateness: number[] = []
    let releasing = false
    // Releases every held response at the stall's end, spinning through the last milliseconds so
    // timer lateness on a busy machine does not lengthen the stall; what lateness remains is
    // measured and added to the truth, which is then the truth for the stall the server really had.
    const releaseAt = (end: number) => {
      if (performance.now() < end) return void setImmediate(() => releaseAt(end))
      releaseLateness.push(performance.now() - end)
      releasing = false
      for (const release of held.splice(0)) release()
    }
    const server = await serve((request, response) => {
      request.resume()
      const now = performance.now()
      const phase = (now - started) % period
      if (phase >= stall) return response.end('ok')
      held.push(() => response.end('ok'))
      if (releasing) return
      releasing = true
      const end = now - phase + stall
      setTimeout(() => releaseAt(end), Math.max(0, end - now - 20))
    })
    const lateness = () => releaseLateness.reduce((sum, ms) => sum + ms, 0) / Math.max(1, releaseLateness.length)
    const truth = (q: number) => (q - (period - stall) / period) * period + lateness()
    // The first period opens the connections a stall needs and warms the code up; the percentiles
    // are read from the three periods after it (the `measured` phase of the same run).
    const profile = profileFrom(`
rate: 50
timeout: 5s
stages:
  - {name: warm, curve: constant, rate: 1x, duration: 2s}
  - {name: measured, curve: constant, rate: 1x, duration: 6s}
requests:
  - {name: stalled, method: GET, path: /}
`)
    const open = (await runBench({profile, targetUrl: server.url, users})).variants[0]!.phases.measured!.stalled!
    expect(open.counts.succeeded).toBe(300)
    // What the model leaves out and a busy machine adds: the time to take a stall's burst of
    // responses off the wire, seen as the longest wait beyond the stall itself (0 on an idle box).
    const overhead = Math.max(0, open.latency.max - stall - lateness())
    for (const [q, observed] of [
      [0.5, open.latency.p50],
      [0.9, open.latency.p90],
      [0.99, open.latency.p99],
    ] as const) {
      // 5%, plus the resolution of an empirical quantile when a request arrives every 20 ms.
      const message = `p${q * 100}: ${observed} ms vs ${truth(q)} ms (release ${lateness().toFixed(1)} ms late, burst overhead ${overhead.toFixed(1)} ms)`
      expect(Math.abs(observed - truth(q)), message).toBeLessThanOrEqual(truth(q) * 0.05 + 20 + overhead)
    }

    // A closed loop of 10 users (what autocannon or wrk do) waits out each stall with only its 10
    // requests stuck, and reports a median of a few ms: the stall all but disappears.
    const closed = profileFrom(`
model: closed
vus: 10
duration: 4s
timeout: 5s
requests:
  - {name: stalled, method: GET, path: /}
`)
    const closedRun = (await runBench({profile: closed, targetUrl: server.url, users})).variants[0]!.totals.stalled!
    expect(closedRun.latency.p50).toBeLessThan(truth(0.5) / 10)

    // With an in-flight cap, requests wait for a slot and leave late: latency from the intended
    // start still shows the stall, while service time from the actual send shows what a
    // closed-loop tool would have reported.
    const capped = (await runBench({profile, targetUrl: server.url, users, overrides: {maxInFlight: 10}})).variants[0]!
      .phases.measured!.stalled!
    expect(capped.counts.late).toBeGreaterThan(150)
    expect(Math.abs(capped.latency.p90 - truth(0.9))).toBeLessThanOrEqual(truth(0.9) * 0.1)
    expect(capped.service.p50).toBeLessThan(capped.latency.p50 / 10)
  })
})

describe('the in-flight cap', () => {
  async function slowServer(delayMs: number): Promise<TestServer> {
    return serve((request, response) => {
      request.resume()
      setTimeout(() => response.end('ok'), delayMs)
    })
  }

  it('drops requests it cannot send and counts them', async () => {
    // 5 slots of 500 ms serve at most 10 of the 50 requests a second.
    const server = await slowServer(500)
    const profile = profileFrom(`
duration: 1s
rate: 50
maxInFlight: 5
whenCapped: drop
requests:
  - {name: slow, method: GET, path: /}
`)
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    const counts = variant.totals.slow!.counts
    expect(counts.dropped).toBeGreaterThan(25)
    expect(counts.requests + counts.dropped).toBe(50)
    expect(variant.intervals.some((interval) => (interval.series.slow?.counts.dropped ?? 0) > 0)).toBe(true)
  })

  it('queues requests at the cap and counts those that leave late', async () => {
    const server = await slowServer(200)
    const profile = profileFrom(`
duration: 1s
rate: 50
maxInFlight: 5
requests:
  - {name: slow, method: GET, path: /}
`)
    const counts = (await runBench({profile, targetUrl: server.url, users})).variants[0]!.totals.slow!.counts
    expect(counts.dropped).toBe(0)
    expect(counts.requests).toBe(50)
    expect(counts.late).toBeGreaterThan(25)
  })
})

describe('the connection pool', () => {
  /** A server that holds every response until `release()`, and counts the connections it accepted. */
  async function holdingServer(): Promise<{server: TestServer; connections: () => number; release: () => void}> {
    let connections = 0
    const held: Array<() => void> = []
    const server = await serve((request, response) => {
      request.resume()
      held.push(() => response.end('ok'))
    })
    server.server.on('connection', () => connections++)
    return {server, connections: () => connections, release: () => held.splice(0).forEach((end) => end())}
  }

  it("grows by Little's law while a stall holds its requests: gradually, up to what they need", async () => {
    const {server, connections, release} = await holdingServer()
    // 200/s for 1 s against a server that answers nothing until the end: 200 requests pile up.
    const profile = profileFrom(`
duration: 1s
rate: 200
timeout: 5s
requests:
  - {name: held, method: GET, path: /}
`)
    const plan = planRun(profile)
    const {engine, target} = variantEngine({profile, targetUrl: server.url, users}, plan, {name: 'default'})
    const releaseTimer = setTimeout(release, 1200)
    try {
      await engine.run()
    } finally {
      clearTimeout(releaseTimer)
      await target.close()
    }
    const pool = engine.pool.report()
    // The law asked for far more than the 16 it started with, and for less than its cap (400, two
    // seconds of the rate), which no request waited for.
    expect(pool).toMatchObject({cap: 400, cappedLate: 0})
    expect(connections()).toBe(pool.peak)
    expect(pool.peak).toBeGreaterThan(128)
    expect(pool.peak).toBeLessThan(400)
    // From 16, each step at most doubles and none comes sooner than the last plus GROW_EVERY_MS.
    const steps = engine.pool.growth
    expect(steps.length).toBeGreaterThanOrEqual(4)
    let previous = {atMs: Number.NEGATIVE_INFINITY, limit: MIN_POOL}
    for (const step of steps) {
      expect(step.limit).toBeLessThanOrEqual(previous.limit * 2)
      expect(step.atMs - previous.atMs).toBeGreaterThanOrEqual(GROW_EVERY_MS)
      previous = step
    }
  })

  it('never opens more than its cap, and the record says when the cap made requests late', async () => {
    const {server, connections, release} = await holdingServer()
    const profile = profileFrom(`
duration: 1s
rate: 100
maxInFlight: 20
timeout: 5s
requests:
  - {name: held, method: GET, path: /}
`)
    const releaseTimer = setInterval(release, 500)
    let variant
    try {
      variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    } finally {
      clearInterval(releaseTimer)
    }
    expect(connections()).toBeLessThanOrEqual(20)
    expect(variant.pool).toMatchObject({cap: 20, peak: connections()})
    expect(variant.pool!.cappedLate).toBeGreaterThan(0)
    expect(variant.totals.held!.counts.late).toBeGreaterThanOrEqual(variant.pool!.cappedLate)
    expect(sendLagText(variant)).toContain(`${variant.pool!.cappedLate} late because of the cap`)
  })

  it('a fast service keeps the pool small whatever the rate: no connection per burst', async () => {
    const {server, connections} = await (async () => {
      let count = 0
      const fast = await serve((request, response) => {
        request.resume()
        response.end('ok')
      })
      fast.server.on('connection', () => count++)
      return {server: fast, connections: () => count}
    })()
    const profile = profileFrom(`
duration: 1s
rate: 2000
requests:
  - {name: fast, method: GET, path: /}
`)
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    expect(variant.totals.fast!.counts.succeeded).toBe(2000)
    // The old pool could open 4,000 (two seconds of the rate) on a hiccup; this one stays near its start.
    expect(variant.pool!.cap).toBe(4000)
    expect(connections()).toBeLessThanOrEqual(variant.pool!.peak)
    expect(variant.pool!.peak).toBeLessThanOrEqual(64)
  })
})

describe('the send strategy', () => {
  it('is chosen by rate: a precise clock at low and high rates, timers between, timers for the closed model', async () => {
    const server = await serve((request, response) => {
      request.resume()
      response.end('ok')
    })
    const strategyAt = async (yaml: string) =>
      (await runBench({profile: profileFrom(yaml), targetUrl: server.url, users})).variants[0]!.settings.sendStrategy
    const request = 'requests:\n  - {name: ping, method: GET, path: /}\n'
    expect(await strategyAt(`duration: 1s\nrate: 50\n${request}`)).toBe('clock')
    expect(await strategyAt(`duration: 1s\nrate: 2000\n${request}`)).toBe('timer')
    expect(await strategyAt(`duration: 1s\nmodel: closed\nvus: 2\n${request}`)).toBe('timer')
    expect(await strategyAt(`duration: 1s\nrate: 50\nsendPrecision: spin\n${request}`)).toBe('spin')
    // The rate that counts is the peak of the curve, per process.
    expect(
      await strategyAt(
        `duration: 1s\nrate: 500\nstages:\n  - {curve: constant, rate: 1x, duration: 1s}\n  - {curve: constant, rate: 4x, duration: 10ms}\n${request}`,
      ),
    ).toBe('timer')
    expect(chooseSendStrategy('auto', 'open', CLOCK_FROM_RATE)).toBe('clock')
    expect(chooseSendStrategy('auto', 'open', CLOCK_FROM_RATE - 1)).toBe('timer')
    expect(chooseSendStrategy('auto', 'open', CLOCK_BELOW_RATE - 1)).toBe('clock')
  })

  it('on the clock, sends every request of a run', async () => {
    let received = 0
    const server = await serve((request, response) => {
      received++
      request.resume()
      response.end('ok')
    })
    const profile = profileFrom(
      `duration: 2s\nrate: 300\nsendPrecision: clock\nrequests:\n  - {name: ping, method: GET, path: /}\n`,
    )
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    expect(received).toBe(600)
    expect(variant.totals.ping!.counts.succeeded).toBe(600)
    expect(variant.sendLag.count).toBe(600)
  })
})
