// Client retries against real servers: amplification and goodput are exact when the failures are
// deterministic, Retry-After is honoured, and the retry budget caps retries.
import {describe, expect, it} from 'vitest'
import {runBench} from '../../src/lib/bench/run.js'
import {syntheticUsers} from '../../src/lib/load/population.js'
import {profileFrom, serverPerTest} from '../helpers/http-servers.js'

const users = syntheticUsers(10)
const serve = serverPerTest()

describe('client retries', () => {
  it('a first attempt that always times out: exactly 2 attempts per request, every request succeeds', async () => {
    const seen = new Set<string>()
    const server = await serve((request, response) => {
      request.resume()
      if (seen.has(request.url!)) return response.end('ok')
      seen.add(request.url!) // never answered: the client's 1 s timeout fires
    })
    const profile = profileFrom(`
duration: 1s
rate: 20
timeout: 1s
retry: {policy: immediate, maxAttempts: 3}
requests:
  - {name: flaky, method: GET, path: "/r/{{seq}}"}
`)
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    const counts = variant.totals.flaky!.counts
    expect(counts).toMatchObject({requests: 20, succeeded: 20, attempts: 40, retries: 20})
    expect(counts.attemptErrors.timeout).toBe(20)
    expect(variant.amplification).toBe(2)
    expect(variant.goodput).toBe(20)
    // Each original keeps its latency from its first intended start: at least the lost second.
    expect(variant.totals.flaky!.latency.min).toBeGreaterThanOrEqual(1000)
    expect(variant.totals.flaky!.service.p50).toBeLessThan(variant.totals.flaky!.latency.p50)
  })

  it('without retries the same server gives no goodput and amplification 1', async () => {
    const server = await serve((request) => void request.resume())
    const profile = profileFrom(`
duration: 500ms
rate: 20
timeout: 100ms
requests:
  - {name: dead, method: GET, path: /}
`)
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    expect(variant.totals.dead!.counts).toMatchObject({requests: 10, succeeded: 0, attempts: 10, retries: 0})
    expect(variant.totals.dead!.counts.failed.timeout).toBe(10)
    expect(variant.amplification).toBe(1)
    expect(variant.goodput).toBe(0)
  })

  it('honours Retry-After on a 429', async () => {
    const attempts = new Map<string, number[]>()
    const server = await serve((request, response) => {
      request.resume()
      const times = attempts.get(request.url!) ?? []
      times.push(Date.now())
      attempts.set(request.url!, times)
      if (times.length === 1) {
        response.writeHead(429, {'retry-after': '1'})
        return response.end()
      }
      response.end('ok')
    })
    const profile = profileFrom(`
duration: 500ms
rate: 20
retry: {policy: immediate, maxAttempts: 2}
requests:
  - {name: limited, method: GET, path: "/q/{{seq}}"}
`)
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    expect(variant.totals.limited!.counts).toMatchObject({requests: 10, succeeded: 10, attempts: 20, retries: 10})
    expect(variant.totals.limited!.counts.attemptErrors.http429).toBe(10)
    expect(attempts.size).toBe(10)
    for (const [, times] of attempts) expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990)
  })

  it('the retry budget caps retries at its ratio of the original load', async () => {
    const server = await serve((request, response) => {
      request.resume()
      response.writeHead(503)
      response.end()
    })
    const yaml = (budget: string) => `
duration: 1s
rate: 100
retry: {policy: immediate, maxAttempts: 5${budget}}
requests:
  - {name: down, method: GET, path: /}
`
    const unbounded = (await runBench({profile: profileFrom(yaml('')), targetUrl: server.url, users})).variants[0]!
    expect(unbounded.totals.down!.counts).toMatchObject({requests: 100, attempts: 500, retries: 400, succeeded: 0})
    expect(unbounded.amplification).toBe(5)

    const budgeted = (
      await runBench({
        profile: profileFrom(yaml(', budget: {ratio: 0.2, minPerSecond: 0}')),
        targetUrl: server.url,
        users,
      })
    ).variants[0]!
    const counts = budgeted.totals.down!.counts
    expect(counts.requests).toBe(100)
    expect(counts.retries).toBeLessThanOrEqual(20)
    expect(counts.retries).toBeGreaterThanOrEqual(18)
    expect(counts.budgetExhausted).toBeGreaterThan(70)
    expect(counts.failed.http5xx).toBe(100)
    expect(budgeted.amplification).toBeLessThanOrEqual(1.2)
  })
})
