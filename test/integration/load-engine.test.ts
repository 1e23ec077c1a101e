// The load engine against real HTTP servers: rates honoured, latency free of coordinated omission
// (the stall test against its analytic truth), late and dropped requests at the in-flight cap.
import {describe, expect, it} from 'vitest'
import {runBench} from '../../src/lib/bench/run.js'
import {syntheticUsers} from '../../src/lib/load/population.js'
import {decodeHistogram} from '../../src/lib/measure/histogram.js'
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
