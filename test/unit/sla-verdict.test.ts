// The verdict never guesses: percentile intervals from order statistics, inconclusive targets with
// what would decide them, no data as a failure, dropped requests in every rate and latency, and the
// targets a run is judged by (typos refused at their line, defaults a profile cannot exercise left out).
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {RunRecorder} from '../../src/lib/measure/series-recorder.js'
import type {VariantData} from '../../src/lib/measure/run-data.js'
import {readProfile} from '../../src/lib/load/profile-loader.js'
import {chooseSlaTargets} from '../../src/lib/bench/choose-targets.js'
import {evaluateTargets} from '../../src/lib/sla/evaluate.js'
import {aggregateProblem} from '../../src/lib/load/run-metrics.js'
import {SortedSamples} from '../../src/lib/sla/observe.js'
import {newHistogram, recordMs} from '../../src/lib/measure/histogram.js'
import {compareRuns} from '../../src/lib/report/compare.js'
import {mergeRecords} from '../../src/lib/report/merge-records.js'
import {readRunRecord} from '../../src/lib/report/run-record.js'
import {binomialCdf, percentileRanks, samplesToDecide} from '../../src/lib/sla/percentile-interval.js'
import {loadStack} from '../../src/lib/stack/load-stack.js'
import {renderHtml} from '../../src/lib/report/render-html.js'
import {renderJunit} from '../../src/lib/report/render-junit.js'
import {renderMarkdown} from '../../src/lib/report/render-markdown.js'
import {renderTerminal} from '../../src/lib/report/render-terminal.js'
import {StreamctlError} from '../../src/lib/errors.js'
import {ROOT} from '../helpers/cli.js'
import {latencies, recordRun, slaTargets} from '../helpers/run-records.js'

/** P(a <= B <= b) for B ~ Binomial(n, q), summed term by term with exact binomial coefficients. */
function binomialMass(n: number, q: number, a: number, b: number): number {
  let total = 0
  let coefficient = 1
  for (let i = 0; i <= n; i++) {
    if (i > 0) coefficient = (coefficient * (n - i + 1)) / i
    if (i >= a && i <= b) total += coefficient * q ** i * (1 - q) ** (n - i)
  }
  return total
}

describe('percentile intervals from order statistics', () => {
  it('gives the textbook ranks for the median', () => {
    // The classic tables: n = 10 → X(2)..X(9); n = 100 → X(40)..X(61).
    expect(percentileRanks(10, 0.5)).toEqual({lower: 2, upper: 9})
    expect(percentileRanks(100, 0.5)).toEqual({lower: 40, upper: 61})
  })

  it('covers the percentile with at least 95%, each tail at most 2.5%, and no tighter pair of ranks does', () => {
    for (const [n, q] of [
      [50, 0.9],
      [200, 0.95],
      [400, 0.99],
      [1000, 0.99],
      [120, 0.5],
    ] as const) {
      const {lower, upper} = percentileRanks(n, q)
      expect(lower, `${n} ${q}`).toBeDefined()
      expect(upper, `${n} ${q}`).toBeDefined()
      // Below X(l): B < l; above X(u): B >= u.
      expect(binomialMass(n, q, 0, lower! - 1)).toBeLessThanOrEqual(0.025)
      expect(binomialMass(n, q, 0, lower!)).toBeGreaterThan(0.025)
      expect(binomialMass(n, q, upper!, n)).toBeLessThanOrEqual(0.025)
      expect(binomialMass(n, q, upper! - 1, n)).toBeGreaterThan(0.025)
      expect(binomialMass(n, q, lower!, upper! - 1)).toBeGreaterThanOrEqual(0.95)
    }
  })

  it('has no upper bound for a p99 under 368 samples (0.99^n must fall to 2.5%)', () => {
    expect(percentileRanks(367, 0.99).upper).toBeUndefined()
    expect(percentileRanks(368, 0.99).upper).toBe(368)
    expect(percentileRanks(43, 0.99).upper).toBeUndefined()
  })

  it('sums the binomial CDF exactly, also far from small n', () => {
    expect(binomialCdf(10, 0.5)(5)).toBeCloseTo(638 / 1024, 12)
    expect(binomialCdf(1000, 0.99)(985)).toBeCloseTo(binomialMass(1000, 0.99, 0, 985), 9)
  })

  it('projects how many samples would decide a percentile', () => {
    // Every sample below the threshold: a p99 is decided once the upper rank exists.
    expect(samplesToDecide(0.99, 1, 0.95, 43)).toBe(368)
    // The observed share below the threshold exactly at the percentile: nothing decides it.
    expect(samplesToDecide(0.99, 0.99, 0.95, 100, 1e7)).toBeUndefined()
    // Closer to the threshold takes more samples.
    expect(samplesToDecide(0.99, 0.995, 0.95, 43)!).toBeGreaterThan(samplesToDecide(0.99, 0.999, 0.95, 43)!)
  })
})

function variantWith(
  series: Record<string, {values: number[]; dropped?: number; failEvery?: number}>,
  durationMs = 10_000,
): VariantData {
  const recorder = new RunRecorder()
  for (const [name, spec] of Object.entries(series)) {
    const handle = recorder.series(name, 'main')
    spec.values.forEach((value, index) => {
      const fails = spec.failEvery !== undefined && index % spec.failEvery === 0
      handle.send(false, false)
      handle.attempt(value, fails ? 'http5xx' : undefined)
      handle.outcome(value, fails ? 'http5xx' : undefined)
    })
    for (let index = 0; index < (spec.dropped ?? 0); index++) handle.dropped()
  }
  recorder.closeInterval(durationMs, 0)
  return {
    ...recordRun({}).variants[0]!,
    durationMs,
    totals: recorder.totalsData(),
    phases: recorder.phasesData(),
    intervals: recorder.intervals,
  }
}

describe('SLA verdicts that never guess', () => {
  it('calls a p99 from 43 samples inconclusive, with the count, the interval and what would decide it', () => {
    const variant = variantWith({status: {values: latencies(43, 8, 3)}}, 3000)
    const verdict = evaluateTargets(slaTargets('status: p(99)<50ms\n'), [variant], undefined)
    const [result] = verdict.results
    expect(result).toMatchObject({
      status: 'inconclusive',
      met: false,
      observed: {samples: 43},
      interval: {confidence: 0.95, high: Number.POSITIVE_INFINITY},
      toDecide: {samples: 368},
    })
    // 43 samples in 3 s: 368 take about 26 s.
    expect(result!.toDecide!.durationMs).toBe(26_000)
    expect(result!.reason).toMatch(
      /^43 samples; the 95% interval of the true p99 is [\d.]+ms–∞, which straddles 50ms: about 368 samples would decide it \(a run of about 26s at this rate\)$/,
    )
    expect(verdict.passed).toBe(false)
    // Allowed explicitly, it passes the gate and still says it was not decided.
    const allowed = evaluateTargets(
      slaTargets('status: {threshold: p(99)<50ms, allowInconclusive: true}\n'),
      [variant],
      undefined,
    )
    expect(allowed.results[0]).toMatchObject({status: 'inconclusive', met: true})
    expect(allowed.passed).toBe(true)
  })

  it('decides the same target on enough samples, either way', () => {
    const fast = variantWith({status: {values: latencies(2000, 8, 4)}})
    expect(evaluateTargets(slaTargets('status: p(99)<50ms\n'), [fast], undefined).results[0]).toMatchObject({
      status: 'pass',
      met: true,
    })
    const slow = variantWith({status: {values: latencies(2000, 80, 5)}})
    const failed = evaluateTargets(slaTargets('status: p(99)<50ms\n'), [slow], undefined).results[0]!
    expect(failed).toMatchObject({status: 'fail', met: false})
    expect(failed.interval!.low).toBeGreaterThanOrEqual(50)
  })

  it('fails a target without samples unless it allows no data', () => {
    const variant = variantWith({api: {values: latencies(500, 10, 6)}})
    const verdict = evaluateTargets(
      slaTargets('api: p(50)<1s\nquota.drift: ==0\nother.errors: rate<1%\n'),
      [variant],
      undefined,
    )
    expect(verdict.results.map((result) => [result.name, result.status, result.met])).toEqual([
      ['api p(50)<1s', 'pass', true],
      ['quota.drift ==0', 'no-data', false],
      ['other.errors rate<1%', 'no-data', false],
    ])
    expect(verdict.passed).toBe(false)
    const allowed = evaluateTargets(
      slaTargets('quota.drift: {threshold: "==0", allowNoData: true}\n'),
      [variant],
      undefined,
    )
    expect(allowed.results[0]).toMatchObject({status: 'no-data', met: true})
    expect(allowed.passed).toBe(true)
  })

  it('counts dropped requests as failed in every rate and as never answered in every latency', () => {
    // 800 answered quickly, 200 dropped: 20% of the offered requests never went out.
    const variant = variantWith({api: {values: latencies(800, 5, 7), dropped: 200}})
    const verdict = evaluateTargets(
      slaTargets('api: [p(99)<100ms, p(50)<100ms, rate<1%]\nerrors: rate<1%\ndropped: ==0\n'),
      [variant],
      undefined,
    )
    const byName = Object.fromEntries(verdict.results.map((result) => [result.name, result]))
    expect(byName['api p(99)<100ms']).toMatchObject({
      status: 'fail',
      observedText: '∞ (200 dropped)',
      observed: {samples: 1000, dropped: 200},
    })
    // Half of all offered requests did answer within 5 ms or so: the median is still decided.
    expect(byName['api p(50)<100ms']!.status).toBe('pass')
    expect(byName['api rate<1%']).toMatchObject({status: 'fail', observedText: '20%'})
    expect(byName['errors rate<1%']).toMatchObject({status: 'fail', observedText: '20%'})
    expect(byName['dropped ==0']).toMatchObject({status: 'fail', observedText: '200'})
  })

  it('counts a generate that was accepted but failed in the end as an error, and its status polls as no requests', () => {
    // 200 generates all accepted (202), polled 3,000 times without an HTTP error; 29 of them ended
    // failed or timed out polling. The run's error rate is the user's: 14.5%, not 0 of 3,200 requests.
    const variant = variantWith({
      'generate.accept': {values: latencies(200, 4, 3)},
      status: {values: latencies(3000, 2, 5)},
      e2e: {values: latencies(200, 900, 11), failEvery: 7},
    })
    const verdict = evaluateTargets(slaTargets('errors: rate<1%\ne2e: p(50)<5s\n'), [variant], undefined)
    const byName = Object.fromEntries(verdict.results.map((result) => [result.name, result]))
    expect(byName['errors rate<1%']).toMatchObject({status: 'fail', observedText: '14.5%', observed: {samples: 200}})
  })
})

describe('the targets a run is judged by', () => {
  const referenceStack = () => loadStack(path.join(ROOT, 'stacks/reference'))
  const profile = (name: string) => readProfile(path.join(ROOT, 'stacks/reference/profiles', `${name}.yaml`))

  it('leaves out the defaults a profile cannot exercise, and adds dropped for the open model', async () => {
    const chosen = await chooseSlaTargets(await referenceStack(), await profile('retry-storm'), undefined, {
      stackRun: true,
    })
    expect(chosen.targets.map((target) => `${target.metric} ${target.threshold.source}`)).toEqual([
      'recommendations p(99)<200ms',
      'errors rate<0.1%',
      'dropped ==0',
    ])
    expect(chosen.notApplicable.map((target) => target.metric)).toEqual([
      'generate.accept',
      'status',
      'e2e',
      'quota.drift',
      'quota.over_admitted',
      'quota.open_reservations',
      'quota.double_charged',
    ])
    expect(chosen.notApplicable[0]!.reason).toBe('retry-storm sends no generate requests')
    expect(chosen.notApplicable[3]!.reason).toBe('no quota accounting without generate requests')
    // peak sends generates to the stack: every default applies; against a bare --target, quota does not.
    expect(
      (await chooseSlaTargets(await referenceStack(), await profile('peak'), undefined, {stackRun: true}))
        .notApplicable,
    ).toEqual([])
    const elsewhere = await chooseSlaTargets(await referenceStack(), await profile('peak'), undefined, {
      stackRun: false,
    })
    expect(elsewhere.notApplicable.map((target) => target.metric)).toEqual([
      'quota.drift',
      'quota.over_admitted',
      'quota.open_reservations',
      'quota.double_charged',
    ])
  })

  it('judges every built-in profile only on what it can produce', async () => {
    const stack = await referenceStack()
    const judged: Record<string, string[]> = {}
    for (const name of ['cache-storm', 'llm-ratelimit', 'peak', 'retry-storm', 'soak', 'spike', 'steady']) {
      judged[name] = (await chooseSlaTargets(stack, await profile(name), undefined, {stackRun: true})).targets.map(
        (target) => target.metric,
      )
    }
    const all = [
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
    ]
    expect(judged).toEqual({
      'cache-storm': ['recommendations', 'errors', 'dropped'],
      'llm-ratelimit': all.filter((metric) => metric !== 'recommendations'),
      peak: all,
      'retry-storm': ['recommendations', 'errors', 'dropped'],
      soak: all,
      spike: ['recommendations', 'errors', 'dropped'],
      steady: all,
    })
  })

  it("refuses a typo in a profile's own targets at its line, with a suggestion", async () => {
    const peak = await profile('peak')
    const withTypo = {
      ...peak,
      file: 'peak.yaml',
      sla: slaTargets('recommendations: p(99)<200ms\ngenrate.accept: p(99)<100ms\n'),
    }
    const error = await chooseSlaTargets(await referenceStack(), withTypo, undefined, {stackRun: true}).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(StreamctlError)
    expect((error as StreamctlError).code).toBe('PROFILE_INVALID')
    expect((error as StreamctlError).message).toContain(
      'sla.yaml:2:1: sla.genrate.accept: no metric "genrate.accept" (did you mean "generate.accept"?); a run of peak has recommendations, events, generate.accept, status, e2e, errors',
    )
  })
})

describe('every report says the same verdict', () => {
  it('terminal, Markdown, HTML and JUnit: the same counts and words for pass, fail, no data and inconclusive', () => {
    const record = recordRun(
      {api: latencies(4000, 40, 1), search: latencies(40, 10, 9)},
      {sla: 'api: [p(99)<1s, p(50)<1ms]\nsearch: p(99)<1s\nquota.drift: ==0\n'},
    )
    record.sla.notApplicable = [{metric: 'e2e', threshold: 'p(95)<3s', reason: 'synthetic sends no generate requests'}]
    const headline = 'SLA FAILED: 1 of 4 targets met, 1 inconclusive, 1 with no data (1 not applicable to synthetic)'
    expect(renderTerminal(record)).toContain(`\n${headline} · targets from sla.yaml\n`)
    const terminal = renderTerminal(record)
    for (const row of [
      /PASS\s+api p\(99\)<1s/,
      /FAIL\s+api p\(50\)<1ms/,
      /INCONCLUSIVE\s+search p\(99\)<1s/,
      /NO DATA\s+quota\.drift ==0/,
    ])
      expect(terminal).toMatch(row)
    expect(terminal).toContain('not applicable to synthetic, left out: e2e (synthetic sends no generate requests)')
    expect(renderMarkdown(record).split('\n')[2]).toBe(
      '1 of 4 targets met, 1 inconclusive, 1 with no data (1 not applicable to synthetic).',
    )
    expect(renderHtml(record)).toContain(`id="verdict">${headline}</div>`)
    const junit = renderJunit(record)
    expect(junit).toMatch(/<testsuite name="sla synthetic" tests="4" failures="3"/)
    expect([...junit.matchAll(/type="(SLA_\w+)"/g)].map((match) => match[1])).toEqual([
      'SLA_FAILED',
      'SLA_INCONCLUSIVE',
      'SLA_NO_DATA',
    ])
    expect(junit).toContain(headline)
  })
})

describe('no path to a verdict without evidence', () => {
  it('reads the k-th sample exactly at every rank (HdrHistogram rounds the count up)', () => {
    for (const n of [193, 997, 3000]) {
      const histogram = newHistogram()
      for (let value = 1; value <= n; value++) recordMs(histogram, value)
      const sorted = new SortedSamples(histogram, 0)
      // Within HDR's 0.1% resolution of k, which tells k from k ± 1 at every rank here.
      for (let k = 1; k <= n; k++)
        expect(Math.abs(sorted.atRank(k) - k), `rank ${k} of ${n}`).toBeLessThanOrEqual(k * 0.001 + 0.001)
      expect(sorted.countBelow(127.5, false)).toBe(127)
    }
  })

  it('refuses an aggregate that does not fit its metric', () => {
    const problem = (yaml: string) => aggregateProblem(slaTargets(yaml)[0]!)
    expect(problem('errors: p(99)<100ms\n')).toBe(
      'errors is a share or a count of requests, not a latency: write rate<1%, count<10 or ==0, not p(99)<100ms',
    )
    expect(problem('dropped: avg<1s\n')).toMatch(/^dropped is a share or a count/)
    expect(problem('quota.drift: rate<1%\n')).toBe(
      'quota.drift is one number for the run: write a bare comparison such as ==0, not rate<1%',
    )
    expect(problem('goodput: p(50)<10ms\n')).toMatch(
      /^goodput is one number for the run: write a bare comparison such as >100/,
    )
    expect(problem('errors: rate<1%\n')).toBeUndefined()
    expect(problem('api: rate<1%\n')).toBeUndefined()
    expect(problem('quota.estimate_error: <30%\n')).toBeUndefined()
  })

  it('judges an old record again: a no-data "pass" from before these rules fails', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-old-record-'))
    try {
      const record = recordRun({api: latencies(500, 10, 3)}, {sla: 'api: p(50)<1s\nquota.drift: ==0\n'})
      // As an older streamctl wrote it: no `met`, and no data counted as passing.
      const old = {
        ...record,
        sla: {...record.sla, passed: true, results: record.sla.results.map(({met: _met, ...result}) => result)},
      }
      const file = path.join(dir, 'old.json')
      await writeFile(file, JSON.stringify(old))
      const read = await readRunRecord(file)
      expect(read.sla.passed).toBe(false)
      expect(read.sla.results.map((result) => [result.name, result.status, result.met])).toEqual([
        ['api p(50)<1s', 'pass', true],
        ['quota.drift ==0', 'no-data', false],
      ])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it("report merge keeps a shard's abortOnFail stop: the merged verdict fails", () => {
    const shardA = recordRun({api: latencies(300, 10, 1)}, {shard: {index: 0, count: 2}, sla: 'api: p(50)<1s\n'})
    const shardB = recordRun({api: latencies(300, 10, 2)}, {shard: {index: 1, count: 2}, sla: 'api: p(50)<1s\n'})
    shardB.sla = {...shardB.sla, passed: false, abortedBy: 'api p(50)<1s (observed 2s)'}
    const merged = mergeRecords([shardA, shardB], ['a.json', 'b.json'])
    expect(merged.sla).toMatchObject({passed: false, abortedBy: 'api p(50)<1s (observed 2s)'})
  })

  it('report --compare counts dropped requests as errors: shedding load is not an improvement', () => {
    const base = recordRun({api: latencies(3000, 25, 31)})
    const shedding = recordRun({api: latencies(2000, 20, 41)})
    shedding.variants[0]!.totals.api!.counts.dropped = 1000
    const comparison = compareRuns(base, shedding, {base: 'base.json', next: 'new.json'})
    expect(comparison.series[0]).toMatchObject({verdict: 'regression', next: {errorRate: 1000 / 3000}})
    expect(comparison.series[0]!.reason).toMatch(/error rate 33\.33 points/)
  })
})
