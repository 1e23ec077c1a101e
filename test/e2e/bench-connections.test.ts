// The warm-up's connections carry on into the measured run, seen from a real server: a run that
// opened its pool afresh would start cold, its first requests paying for connects the warm-up
// already paid for, and none of its requests would come on a connection the warm-up opened.
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchResult} from '../../src/commands/bench.js'
import {runCli} from '../helpers/cli.js'
import {startServer, type TestServer} from '../helpers/http-servers.js'

let dir: string
let server: TestServer
const openedAt = new WeakMap<object, number>()
/** Each request: when it arrived, and when the connection it came on was opened. */
const requests: Array<{at: number; connectionOpenedAt: number}> = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-connections-'))
  server = await startServer((request, response) => {
    requests.push({at: Date.now(), connectionOpenedAt: openedAt.get(request.socket)!})
    request.resume()
    setTimeout(() => response.end('ok'), 5)
  })
  server.server.on('connection', (socket) => openedAt.set(socket, Date.now()))
})
afterAll(async () => {
  await server.close()
  await rm(dir, {recursive: true, force: true})
})

describe('bench connections', () => {
  it('runs on the connections the warm-up opened', async () => {
    const profile = path.join(dir, 'steady.yaml')
    await writeFile(profile, 'duration: 2s\nwarmup: 1s\nrate: 100\nrequests:\n  - {name: api, method: GET, path: /}\n')
    const result = await runCli(['bench', profile, '--target', server.url, '--out', dir, '--json'], {
      env: {CI: '1'},
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const run = (JSON.parse(result.stdout) as BenchResult).run
    const measuredFrom = Date.parse(run.variants[0]!.startedAt)
    expect(run.variants[0]!.totals.api!.counts.requests).toBe(200)
    // The measured run starts on them: its first request needs no connect. (Later ones may come on
    // a connection the run opened when requests overlapped more than in the warm-up: the pool
    // reuses its most recently used connection first, so a new one then carries much of the rest.)
    const measured = requests.filter((request) => request.at >= measuredFrom)
    expect(measured).toHaveLength(200)
    expect(requests.filter((request) => request.at < measuredFrom).length).toBeGreaterThan(0)
    expect(measured[0]!.connectionOpenedAt).toBeLessThan(measuredFrom)
  })
})
