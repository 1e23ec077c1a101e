// The SLA gate as a CI pipeline meets it, through the built CLI against a real HTTP server: a typo'd
// metric in --sla, in a profile or in the manifest stops the run before any request is sent (exit 2,
// file:line and a suggestion, and `validate` says the same); a 3-second p99 is inconclusive and
// fails with its count and interval while a long enough run decides it; a run that drops a fifth of
// its requests fails its error rate and shows the drops beside p99; and --json on a failed verdict
// carries the documented `error` member.
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import type {BenchResult} from '../../src/commands/bench.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {startServer, type TestServer} from '../helpers/http-servers.js'

let dir: string
let server: TestServer
let hits = 0

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-sla-'))
  server = await startServer((request, response) => {
    hits++
    request.resume()
    // /slow answers after 200 ms, so a small in-flight cap has to drop; everything else at once.
    setTimeout(() => response.end('ok'), request.url?.startsWith('/slow') ? 200 : 1)
  })
})
afterAll(async () => {
  await server.close()
  await rm(dir, {recursive: true, force: true})
})
beforeEach(() => {
  hits = 0
})

const write = async (name: string, text: string) => {
  const file = path.join(dir, name)
  await writeFile(file, text)
  return file
}
const ci = {env: {CI: '1'}}

describe('a target on a metric that does not exist is a usage error before any load is sent', () => {
  it('in --sla: exit 2 at file:line with a suggestion, nothing sent; validate says the same', async () => {
    const profile = await write(
      'api.yaml',
      'duration: 2s\nrate: 20\nrequests:\n  - {name: api, method: GET, path: /api}\n',
    )
    const sla = await write('typo.yaml', 'api: p(50)<1s\nerorrs: rate<1%\n')
    const result = await runCli(
      ['bench', profile, '--target', server.url, '--sla', sla, '--out', path.join(dir, 'runs')],
      ci,
    )
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [SLA_FILE_INVALID]')
    expect(result.stderr).toMatch(
      /typo\.yaml:2:1: sla\.erorrs: no metric "erorrs" \(did you mean "errors"\?\); a run of api has api, errors, error_rate, dropped/,
    )
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(hits).toBe(0)
    const json = await runCli(['bench', profile, '--target', server.url, '--sla', sla, '--json'], ci)
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {code: 'SLA_FILE_INVALID', exitCode: 2, details: {problems: [{line: 2, col: 1}]}},
    })
    const validate = await runCli(['validate', '--sla', sla])
    expect(validate.exitCode).toBe(2)
    expect(validate.stderr).toMatch(
      /typo\.yaml:2:1: sla\.erorrs: no metric "erorrs" in any profile of stack reference \(did you mean "errors"\?\)/,
    )
  })

  it('a metric this profile cannot produce, even if another could: exit 2 naming why', async () => {
    const profile = await write('recs.yaml', 'duration: 2s\nrate: 20\nrequests:\n  - use: recommendations\n')
    const sla = await write('generate.yaml', 'recommendations: p(50)<1s\ne2e: p(95)<3s\n')
    const result = await runCli(['bench', profile, '--target', server.url, '--sla', sla], ci)
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/generate\.yaml:2:1: sla\.e2e: no data in this run: recs sends no generate requests/)
    expect(hits).toBe(0)
  })

  it("in a profile's own sla: exit 2 at the profile's line; validate flags it", async () => {
    const stackDir = path.join(dir, 'stack-profile')
    await cp(path.join(ROOT, 'stacks/reference'), stackDir, {recursive: true})
    await writeFile(
      path.join(stackDir, 'profiles', 'mine.yaml'),
      'duration: 2s\nrate: 20\nrequests:\n  - use: recommendations\nsla:\n  recomendations: p(99)<200ms\n',
    )
    const result = await runCli(['bench', 'mine', '--stack', stackDir, '--target', server.url], ci)
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [PROFILE_INVALID]')
    expect(result.stderr).toMatch(
      /profiles\/mine\.yaml:6:3: sla\.recomendations: no metric "recomendations" \(did you mean "recommendations"\?\)/,
    )
    expect(hits).toBe(0)
    const validate = await runCli(['validate', '--stack', stackDir])
    expect(validate.exitCode).toBe(2)
    expect(validate.stderr).toMatch(/profiles\/mine\.yaml:6:3: sla\.recomendations: no metric "recomendations"/)
  })

  it("in the manifest's defaults: exit 2 at stack.yaml's line, whichever source the run uses; validate flags it", async () => {
    const stackDir = path.join(dir, 'stack-manifest')
    await cp(path.join(ROOT, 'stacks/reference'), stackDir, {recursive: true})
    const manifest = path.join(stackDir, 'stack.yaml')
    const text = await readFile(manifest, 'utf8')
    await writeFile(manifest, text.replace('  status: p(99)<50ms', '  stauts: p(99)<50ms'))
    const line = text.split('\n').findIndex((row) => row.startsWith('  status: p(99)<50ms')) + 1
    const result = await runCli(
      ['bench', 'steady', '--stack', stackDir, '--target', server.url, '--duration', '2s'],
      ci,
    )
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [MANIFEST_INVALID]')
    expect(result.stderr).toContain(
      `stack.yaml:${line}:3: sla.stauts: no metric "stauts" in any profile of stack reference (did you mean "status"?)`,
    )
    expect(hits).toBe(0)
    const validate = await runCli(['validate', '--stack', stackDir])
    expect(validate.exitCode).toBe(2)
    expect(validate.stderr).toContain(`stack.yaml:${line}:3: sla.stauts: no metric "stauts"`)
  })
})

describe('a percentile from too few samples is inconclusive', () => {
  it('3 s: inconclusive, exit 99, with the count, the interval and how long a run would decide it; 12 s decides it', async () => {
    const profile = await write(
      'short.yaml',
      'duration: 3s\nrate: 50\nrequests:\n  - {name: api, method: GET, path: /api}\n',
    )
    const sla = await write('p99.yaml', 'api: p(99)<1s\n')
    const short = await runCli(
      ['bench', profile, '--target', server.url, '--sla', sla, '--duration', '3s', '--out', path.join(dir, 'short')],
      ci,
    )
    expect(short.exitCode, short.stderr).toBe(99)
    expect(short.stdout).toMatch(/SLA FAILED: 1 of 2 targets met, 1 inconclusive/)
    expect(short.stdout).toMatch(
      /INCONCLUSIVE\s+api p\(99\)<1s\s+[\d.]+ms\s+n=150 · 95% CI [\d.]+ms–∞ · needs ~368 samples \(~8s run\)/,
    )
    expect(short.stdout).toMatch(
      /api p\(99\)<1s: 150 samples; the 95% interval of the true p99 is [\d.]+ms–∞, which straddles 1s: about 368 samples would decide it \(a run of about 8s at this rate\)/,
    )
    const long = await runCli(
      [
        'bench',
        profile,
        '--target',
        server.url,
        '--sla',
        sla,
        '--duration',
        '12s',
        '--out',
        path.join(dir, 'long'),
        '--json',
      ],
      ci,
    )
    expect(long.exitCode, long.stderr).toBe(0)
    const [api] = (JSON.parse(long.stdout) as BenchResult).run.sla.results
    expect(api).toMatchObject({status: 'pass', met: true, observed: {samples: 600}})
    expect(api!.interval!.high).toBeLessThan(1000)
  }, 60_000)
})

describe('abortOnFail on a percentile', () => {
  it('stops the run once the interval shows the target failing, and the stopped target reads FAIL everywhere', async () => {
    const profile = await write(
      'long-slow.yaml',
      'duration: 60s\nrate: 40\nrequests:\n  - {name: slow, method: GET, path: /slow}\n',
    )
    const sla = await write('abort-p50.yaml', 'slow:\n  threshold: p(50)<50ms\n  abortOnFail: true\n')
    const result = await runCli(
      [
        'bench',
        profile,
        '--target',
        server.url,
        '--sla',
        sla,
        '--out',
        path.join(dir, 'abort'),
        '--junit',
        path.join(dir, 'abort.xml'),
        '--json',
      ],
      ci,
    )
    expect(result.exitCode, result.stderr).toBe(99)
    const body = JSON.parse(result.stdout) as BenchResult
    // Every request takes about 200 ms: the first second's samples already put the whole interval above 50 ms.
    expect(body.run.sla.abortedBy).toMatch(/^slow p\(50\)<50ms \(observed 2\d\d(\.\d+)?ms\)$/)
    expect(body.run.variants[0]!.stoppedEarly).toBe(true)
    expect(body.run.variants[0]!.durationMs).toBeLessThan(20_000)
    expect(body.run.sla.results[0]).toMatchObject({name: 'slow p(50)<50ms', status: 'fail', met: false})
    expect(body.error).toMatchObject({code: 'SLA_FAILED', exitCode: 99})
    expect(await readFile(path.join(dir, 'abort.xml'), 'utf8')).toMatch(/failures="1"/)
  }, 60_000)
})

describe('dropped requests count', () => {
  it('a run that drops a fifth of its requests fails error_rate<1% and shows the drops beside p99', async () => {
    // 100 req/s at 200 ms each needs 20 in flight; a cap of 16 leaves room for about 80/s.
    const profile = await write(
      'drop.yaml',
      'duration: 5s\nrate: 100\nmaxInFlight: 16\nwhenCapped: drop\nrequests:\n  - {name: slow, method: GET, path: /slow}\n',
    )
    const sla = await write('drop-sla.yaml', 'slow: p(50)<1s\nerror_rate: rate<1%\n')
    const result = await runCli(
      ['bench', profile, '--target', server.url, '--sla', sla, '--out', path.join(dir, 'drop'), '--json'],
      ci,
    )
    expect(result.exitCode, result.stderr).toBe(99)
    const body = JSON.parse(result.stdout) as BenchResult
    const counts = body.run.variants[0]!.totals.slow!.counts
    const share = counts.dropped / (counts.dropped + counts.requests)
    expect(share).toBeGreaterThan(0.1)
    expect(share).toBeLessThan(0.35)
    const byMetric = Object.fromEntries(body.run.sla.results.map((result) => [result.metric, result]))
    // Every answered request took about 200 ms: the median alone would look fine.
    expect(byMetric.slow!.status).toBe('pass')
    expect(byMetric.error_rate).toMatchObject({status: 'fail', observed: {value: share}})
    // The open model's own dropped target fails too.
    expect(byMetric.dropped).toMatchObject({status: 'fail', observedText: String(counts.dropped)})
    expect(body.error).toEqual({code: 'SLA_FAILED', message: 'SLA FAILED: 1 of 3 targets met', exitCode: 99})
    // In the terminal, the series row shows the drops beside its p99.
    const terminal = await runCli(['report', body.file])
    expect(terminal.exitCode).toBe(99)
    expect(terminal.stdout).toMatch(
      new RegExp(
        `\\n\\s+slow\\s+${counts.requests}\\s+[\\d.]+\\s+(\\S+\\s+){5}[\\d.]+%\\s+dropped=${counts.dropped}\\n`,
      ),
    )
    expect(terminal.stdout).toMatch(/FAIL\s+error_rate rate<1%\s+[\d.]+%\s+n=\d+/)
  }, 60_000)
})
