// `bench --find-capacity` through the built CLI against a real HTTP server whose latency rises with
// the rate it receives: flat up to 300 req/s, then 0.4 ms more for every request per second above
// it. The target p(95)<40ms holds up to about 395 req/s, and the latency curve bends at 300.
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CapacityJson} from '../../src/commands/bench.js'
import {runCli} from '../helpers/cli.js'
import {startServer, type TestServer} from '../helpers/http-servers.js'

const KNEE = 300
const WINDOW_MS = 500

let dir: string
let server: TestServer
const arrivals: number[] = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-capacity-'))
  server = await startServer((request, response) => {
    const now = performance.now()
    arrivals.push(now)
    while (arrivals.length > 0 && arrivals[0]! < now - WINDOW_MS) arrivals.shift()
    const rate = (arrivals.length * 1000) / WINDOW_MS
    request.resume()
    setTimeout(() => response.end('ok'), 2 + Math.max(0, rate - KNEE) * 0.4)
  })
})
afterAll(async () => {
  await server.close()
  await rm(dir, {recursive: true, force: true})
})

describe('bench --find-capacity', () => {
  it('finds the highest rate at which every target passed, bisected to 5%, and the knee within one step', async () => {
    const profile = path.join(dir, 'api.yaml')
    await writeFile(
      profile,
      'duration: 3s\nwarmup: 1s\nrate: 100\nrequests:\n  - {name: api, method: GET, path: /api}\nsla:\n  api: p(95)<40ms\n',
    )
    const out = path.join(dir, 'runs')
    const result = await runCli(['bench', profile, '--find-capacity', '--target', server.url, '--out', out, '--json'], {
      env: {CI: '1'},
      timeoutMs: 180_000,
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const {capacity, reports} = JSON.parse(result.stdout) as CapacityJson
    // Doubling from 100: 100, 200 and 400 (which fails), then bisection between 200 and 400.
    expect(capacity.steps.slice(0, 3).map((step) => [step.rate, step.stage, step.passed])).toEqual([
      [100, 'climb', true],
      [200, 'climb', true],
      [400, 'climb', false],
    ])
    expect(capacity.steps.slice(3).every((step) => step.stage === 'bisect')).toBe(true)
    expect(capacity.capacity).toBeGreaterThan(KNEE)
    expect(capacity.capacity).toBeLessThan(400)
    expect((capacity.firstFailure! - capacity.capacity!) / capacity.capacity!).toBeLessThanOrEqual(0.05)
    expect(capacity.stoppedBy).toBe('precision')
    // The knee is the step nearest where the curve bends: no step lies between it and 300.
    const rates = capacity.steps.map((step) => step.rate).sort((a, b) => a - b)
    const knee = capacity.knee!.rate
    const between = rates.filter((rate) => rate > Math.min(knee, KNEE) && rate < Math.max(knee, KNEE))
    expect(between).toEqual([])
    // Every step wrote its run record, which `report` reads like any other.
    expect(reports).toHaveLength(capacity.steps.length)
    const record = JSON.parse(await readFile(reports[2]!.file, 'utf8'))
    expect(record.sla.passed).toBe(false)
    expect(record.variants[0].settings.rate).toBe(400)
  }, 200_000)

  it('exits 99 when even the first rate does not pass, and 2 for a closed-model profile', async () => {
    const tooFast = path.join(dir, 'strict.yaml')
    await writeFile(
      tooFast,
      'duration: 2s\nrate: 500\nrequests:\n  - {name: api, method: GET, path: /api}\nsla:\n  api: p(90)<1ms\n',
    )
    const failed = await runCli(['bench', tooFast, '--find-capacity', '--target', server.url, '--out', dir], {
      env: {CI: '1'},
      timeoutMs: 60_000,
    })
    expect(failed.exitCode).toBe(99)
    expect(failed.stdout).toContain('CAPACITY NOT FOUND')
    const closed = path.join(dir, 'closed.yaml')
    await writeFile(
      closed,
      'model: closed\nvus: 2\nduration: 2s\nrequests:\n  - {name: api, method: GET, path: /api}\n',
    )
    const refused = await runCli(['bench', closed, '--find-capacity', '--target', server.url], {env: {CI: '1'}})
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('--find-capacity: profile "closed" is a closed model')
  }, 90_000)
})
