// `streamctl demo` and the quota accounting on a real reference stack (local driver, isolated
// database, vhost and key prefix): the demo ends with a verdict and an HTML report and every quota
// invariant at zero; an impossible target exits 99 with one failing JUnit case; a Redis quota
// counter corrupted by hand shows up as drift and fails the verdict; generates sent while the worker
// is paused show up as a backlog of inference_requests in the summary.
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchResult} from '../../src/commands/bench.js'
import type {DemoResult} from '../../src/commands/demo.js'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import {percentileRanks} from '../../src/lib/sla/percentile-interval.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'

describe('streamctl demo on the reference stack', () => {
  let stack: TestStack
  let out: string
  let demo: RunRecord
  beforeAll(async () => {
    stack = await makeTestStack()
    out = await mkdtemp(path.join(os.tmpdir(), 'streamctl-demo-'))
  })
  afterAll(async () => {
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env, timeoutMs: 120_000})
    await stack.cleanup()
    await rm(out, {recursive: true, force: true})
  }, 120_000)

  it('comes up, provisions, runs a short peak and ends with a verdict, an HTML report and zero quota invariants', async () => {
    // The demo as a new user runs it: its default length and rate.
    const result = await runCli(['demo', '--driver', 'local', '--stack', stack.dir, '--out', out, '--json'], {
      env: {...stack.env, CI: '1'},
      timeoutMs: 400_000,
    })
    expect([0, 99], result.stderr.slice(-3000)).toContain(result.exitCode)
    const body = JSON.parse(result.stdout) as DemoResult
    expect(body.driver).toBe('local')
    expect((await stat(path.resolve(ROOT, body.html))).size).toBeGreaterThan(10_000)
    demo = JSON.parse(await readFile(path.resolve(ROOT, body.reports[0]!.file), 'utf8')) as RunRecord
    expect(demo.profile).toBe('peak')
    expect(result.exitCode).toBe(demo.sla.passed ? 0 : 99)
    expect(Object.keys(demo.variants[0]!.phases).length).toBeGreaterThan(1)
    // The demo's default warm-up: 5 s at the peak's base rate (25 req/s), outside the figures and the accounting.
    expect(demo.warmup!.rate).toBe(25)
    expect(demo.warmup!.requests).toBeGreaterThanOrEqual(110)
    // Sized so that every target can be decided: every default applies to peak, every one has
    // samples, and every percentile has enough of them for its interval to have an upper end
    // (a p99 needs 368). Whether a target then passes depends on the machine; that it can be judged does not.
    expect(demo.sla.notApplicable ?? []).toEqual([])
    expect(demo.sla.results.map((r) => r.metric)).toEqual([
      'generate.accept',
      'status',
      'recommendations',
      'e2e',
      'errors',
      'quota.drift',
      'quota.over_admitted',
      'quota.open_reservations',
      'quota.double_charged',
      'dropped',
    ])
    expect(demo.sla.results.filter((r) => r.status === 'no-data')).toEqual([])
    for (const r of demo.sla.results.filter((r) => r.interval)) {
      const p = Number(/p\((\d+)\)/.exec(r.threshold)![1]) / 100
      expect(percentileRanks(r.observed!.samples!, p).upper, `${r.name}: ${r.observed!.samples} samples`).toBeDefined()
    }
    expect(body.error === undefined).toBe(demo.sla.passed)
    const quota = demo.quota!
    expect(quota.drained).toBe(true)
    expect(quota.client.attempted).toBeGreaterThan(0)
    const accept = demo.variants[0]!.totals['generate.accept']!
    expect(quota.totals.admitted, `generate.accept: ${JSON.stringify(accept.counts)}`).toBeGreaterThan(0)
    expect(quota.totals.usedTokens).toBeGreaterThan(0)
    expect(quota.totals.admitted).toBeLessThanOrEqual(quota.client.attempted)
    expect(quota.tiers.map((tier) => tier.tier).length).toBeGreaterThan(0)
    expect(quota.invariants).toEqual({over_admitted: 0, drift: 0, open_reservations: 0, double_charged: 0})
    const quotaResults = demo.sla.results.filter((r) => r.metric.startsWith('quota.'))
    expect(quotaResults.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass'])
  }, 420_000)

  it('exits 99 on an impossible target with one failing JUnit case; the quota targets still pass', async () => {
    const sla = path.join(out, 'impossible.yaml')
    await writeFile(
      sla,
      'recommendations: p(99)<0.001ms\nquota.drift: ==0\nquota.over_admitted: ==0\nquota.open_reservations: ==0\nquota.double_charged: ==0\n',
    )
    const junit = path.join(out, 'steady.xml')
    const result = await runCli(
      [
        'bench',
        'steady',
        '--duration',
        '20s',
        '--rate',
        '20',
        '--stack',
        stack.dir,
        '--sla',
        sla,
        '--junit',
        junit,
        '--out',
        out,
      ],
      {env: {...stack.env, CI: '1'}, timeoutMs: 200_000},
    )
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(99)
    const xml = await readFile(junit, 'utf8')
    // The five targets of the file, and the dropped target every open-model run carries.
    expect(xml).toMatch(/tests="6" failures="1"/)
    expect([...xml.matchAll(/ name="([^"]+)"[^>]*>\s*<failure/g)].map((match) => match[1])).toEqual([
      'recommendations p(99)&lt;0.001ms',
    ])
  }, 200_000)

  it('judges retry-storm only on what it exercises: the headline counts the judged targets and names the rest', async () => {
    const result = await runCli(
      ['bench', 'retry-storm', '--duration', '10s', '--stack', stack.dir, '--out', out, '--json'],
      {env: {...stack.env, CI: '1'}, timeoutMs: 200_000},
    )
    expect([0, 99], result.stderr.slice(-3000)).toContain(result.exitCode)
    const {run} = JSON.parse(result.stdout) as BenchResult
    // Two variants, each judged on recommendations, errors and dropped; the manifest's seven others left out, per variant.
    expect(run.sla.results.map((r) => r.name)).toEqual(
      ['naive', 'resilient'].flatMap((variant) => [
        `${variant}: recommendations p(99)<200ms`,
        `${variant}: errors rate<0.1%`,
        `${variant}: dropped ==0`,
      ]),
    )
    expect(run.sla.results.filter((r) => r.status === 'no-data')).toEqual([])
    expect(run.sla.notApplicable!.map((target) => target.metric)).toEqual([
      'generate.accept',
      'status',
      'e2e',
      'quota.drift',
      'quota.over_admitted',
      'quota.open_reservations',
      'quota.double_charged',
    ])
    const met = run.sla.results.filter((r) => r.met).length
    const terminal = await runCli(['report', path.resolve(ROOT, (JSON.parse(result.stdout) as BenchResult).file)])
    expect(terminal.stdout).toContain(`SLA ${run.sla.passed ? 'PASSED' : 'FAILED'}: ${met} of 6 targets met`)
    expect(terminal.stdout).toMatch(/\(14 not applicable to retry-storm\)/)
    expect(terminal.stdout).toContain(
      'not applicable to retry-storm, left out: generate.accept, status, e2e (retry-storm sends no generate requests); quota.drift, quota.over_admitted, quota.open_reservations, quota.double_charged (no quota accounting without generate requests)',
    )
    expect(terminal.stdout).not.toMatch(/NO DATA/)
  }, 200_000)

  it('reports drift and fails the verdict when a Redis quota counter is corrupted', async () => {
    const user = demo.quota!.users[0]!.user
    const day = demo.quota!.since.slice(0, 10)
    const redis = new Redis('redis://127.0.0.1:6379', {keyPrefix: `${stack.name}:`})
    try {
      expect(Number(await redis.hget(`quota:${user}:d:${day}`, 'used'))).toBeGreaterThan(0)
      await redis.hincrby(`quota:${user}:d:${day}`, 'used', 777)
    } finally {
      redis.disconnect()
    }
    const sla = path.join(out, 'quota.yaml')
    await writeFile(sla, 'quota.drift: ==0\nquota.open_reservations: ==0\n')
    const result = await runCli(
      [
        'bench',
        'steady',
        '--duration',
        '5s',
        '--rate',
        '20',
        '--stack',
        stack.dir,
        '--sla',
        sla,
        '--out',
        out,
        '--json',
      ],
      {env: {...stack.env, CI: '1'}, timeoutMs: 200_000},
    )
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(99)
    const body = JSON.parse(result.stdout) as BenchResult
    expect(body.run.quota!.invariants.drift).toBe(777)
    expect(body.run.sla.results.map((r) => [r.name, r.status, r.observedText])).toEqual([
      ['quota.drift ==0', 'fail', '777'],
      ['quota.open_reservations ==0', 'pass', '0'],
      ['dropped ==0', 'pass', '0'],
    ])
    expect(body.error).toEqual({code: 'SLA_FAILED', message: 'SLA FAILED: 2 of 3 targets met', exitCode: 99})
  }, 200_000)
  it("fires profile timeline events at their times through the stack's admin API", async () => {
    const profile = path.join(out, 'timeline.yaml')
    await writeFile(
      profile,
      [
        'description: timeline check',
        'duration: 6s',
        'rate: 10',
        'timeout: 2s',
        'stages:',
        '  - {name: main, curve: constant, rate: 1x}',
        'requests:',
        '  - use: recommendations',
        'timeline:',
        '  - {at: 2s, switches: {interventions: {queryResultCache: true}}}',
        '  - {at: 4s, switches: {faults: {dbDelayMs: 7}}}',
        '',
      ].join('\n'),
    )
    const result = await runCli(['bench', profile, '--stack', stack.dir, '--out', out, '--json'], {
      env: {...stack.env, CI: '1'},
      timeoutMs: 200_000,
    })
    expect([0, 99], result.stderr.slice(-3000)).toContain(result.exitCode)
    const timeline = (JSON.parse(result.stdout) as BenchResult).run.variants[0]!.timeline
    expect(timeline.map((event) => [event.atMs, event.action, event.ok, event.status])).toEqual([
      [2000, 'switches', true, 200],
      [4000, 'switches', true, 200],
    ])
    for (const event of timeline) expect(Math.abs(event.firedAtMs - event.atMs)).toBeLessThan(500)
    // Each event is the stack's admin API answering the PATCH with its switches: the second still
    // holds the first's change. After the run, bench resets them.
    expect(timeline[0]!.response).toMatchObject({interventions: {queryResultCache: true}, faults: {dbDelayMs: 0}})
    expect(timeline[1]!.response).toMatchObject({interventions: {queryResultCache: true}, faults: {dbDelayMs: 7}})
    const redis = new Redis('redis://127.0.0.1:6379', {keyPrefix: `${stack.name}:`})
    try {
      const stored = await redis.hgetall('switches')
      expect(JSON.parse(stored['interventions.queryResultCache'] ?? 'false')).toBe(false)
      expect(JSON.parse(stored['faults.dbDelayMs'] ?? '0')).toBe(0)
    } finally {
      redis.disconnect()
    }
  }, 200_000)

  it('names the queue that grew during a run: generates while the worker is paused', async () => {
    const profile = path.join(out, 'paused-worker.yaml')
    await writeFile(
      profile,
      [
        'description: generates while the worker is paused',
        'duration: 10s',
        'rate: 20',
        'timeout: 2s',
        'stages:',
        '  - {name: main, curve: constant, rate: 1x}',
        'requests:',
        '  - use: generate',
        'timeline:',
        '  - {at: 0s, switches: {faults: {pausedConsumers: [worker]}}}',
        '',
      ].join('\n'),
    )
    const result = await runCli(['bench', profile, '--stack', stack.dir, '--out', out], {
      env: {...stack.env, CI: '1'},
      timeoutMs: 200_000,
    })
    expect([0, 99], result.stderr.slice(-3000)).toContain(result.exitCode)
    expect(result.stdout).toMatch(
      /backlog: queue inference_requests grew from \d+ to [\d,]+ messages during the run \(about \+\d+\/s while it grew\): its consumers did not keep up/,
    )
    expect(result.stdout).not.toMatch(/backlog: queue inference_results/)
    // After the run bench resets the switches: the worker resumes and the stack drains.
    const accounting = /quota accounting(.*?):/.exec(result.stdout)
    expect(accounting?.[1], result.stdout.slice(-2000)).toBe('')
  }, 200_000)
})
