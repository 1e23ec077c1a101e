// The run record's pure logic on histograms the load engine's recorder wrote: SLA evaluation, the
// lossless shard merge, the .hlog round trip through hdr-histogram-js's reader, and --compare; and
// the small decisions of the reports: which figures are counters and their rates, when the Markdown
// summary goes to GitHub's job summary.
import * as hdr from 'hdr-histogram-js'
import {describe, expect, it} from 'vitest'
import {counterRate, isCounter} from '../../src/lib/measure/counter-rates.js'
import type {GaugeSample} from '../../src/lib/measure/gauge-scraper.js'
import {decodeHistogram} from '../../src/lib/measure/histogram.js'
import {compareRuns} from '../../src/lib/report/compare.js'
import {mergeRecords} from '../../src/lib/report/merge-records.js'
import {renderBenchmarkJson} from '../../src/lib/report/render-benchmark.js'
import {renderHlog} from '../../src/lib/report/render-hlog.js'
import {renderMarkdown} from '../../src/lib/report/render-markdown.js'
import {withStepSummary} from '../../src/lib/report/write-reports.js'
import {renderTerminal} from '../../src/lib/report/render-terminal.js'
import type {QuotaAccounting} from '../../src/lib/quota/accounting.js'
import {textWidth} from '../../src/lib/text/fit-width.js'
import {evaluateTargets, formatObservation} from '../../src/lib/sla/evaluate.js'
import {latencies, recordRun, slaTargets} from '../helpers/run-records.js'

const api = latencies(4000, 40, 1)
const search = latencies(1500, 120, 2)

describe('SLA evaluation', () => {
  it('passes and fails targets on the observed values, with the percentile taken from the whole histogram', () => {
    const run = recordRun({api, search}, {failEvery: 50})
    const targets = slaTargets(
      'api: ["p(99)<10s", "p(50)<1ms"]\nsearch: avg<1s\nerrors: rate<0.1%\ndropped: ==0\nquota.drift: ==0\n',
    )
    const verdict = evaluateTargets(targets, run.variants, undefined)
    const byName = Object.fromEntries(verdict.results.map((result) => [result.name, result]))
    expect(byName['api p(99)<10s']!.status).toBe('pass')
    expect(byName['api p(50)<1ms']!.status).toBe('fail')
    const sorted = [...api].sort((a, b) => a - b)
    expect(byName['api p(50)<1ms']!.observed!.value).toBeCloseTo(sorted[Math.ceil(sorted.length * 0.5) - 1]!, 1)
    expect(byName['search avg<1s']!.status).toBe('pass')
    // One in 50 requests failed: 2% > 0.1%.
    expect(byName['errors rate<0.1%']).toMatchObject({status: 'fail', observedText: '2%'})
    expect(byName['dropped ==0']!.status).toBe('pass')
    expect(byName['quota.drift ==0']!.status).toBe('no-data')
    expect(verdict.passed).toBe(false)
  })

  it('never shows a latency rounded onto its threshold: 99.967 ms against <100ms reads 99.967ms, not 100ms', () => {
    expect(formatObservation({value: 99.967, unit: 'ms'}, 100)).toBe('99.967ms')
    expect(formatObservation({value: 100.04, unit: 'ms'}, 100)).toBe('100.04ms')
    // Seconds stay seconds: an interval end of 3012.607 ms against <3s.
    expect(formatObservation({value: 3012.607, unit: 'ms'}, 3000)).toBe('3.0126s')
    // Away from the threshold the short form stays.
    expect(formatObservation({value: 99.967, unit: 'ms'}, 200)).toBe('100ms')
    expect(formatObservation({value: 12.687, unit: 'ms'}, 50)).toBe('12.7ms')
  })
})

describe('report merge', () => {
  it('refuses records of another seed or shard count, a repeated shard and a missing one, naming the record', () => {
    const shard = (index: number, count: number, seed = 7) => {
      const run = recordRun({api: latencies(100, 10, index + 1)}, {shard: {index, count}})
      return {...run, seed}
    }
    const names = ['a.json', 'b.json', 'c.json']
    expect(() => mergeRecords([shard(0, 2), shard(1, 2, 8)], names)).toThrow(
      'b.json is a run of seed 8, a.json of 7: only the shards of one run merge',
    )
    expect(() => mergeRecords([shard(0, 2), shard(1, 3)], names)).toThrow(
      'b.json is a run of shard count 3 (shard 2/3), a.json of 2: only the shards of one run merge',
    )
    expect(() => mergeRecords([shard(0, 2), shard(0, 2)], names)).toThrow(
      'b.json and a.json are both shard 1/2: each shard merges once',
    )
    expect(() => mergeRecords([shard(0, 3), shard(2, 3)], names)).toThrow('shard 2/3 missing: 2 of 3 records given')
  })

  it('gives the percentiles of one record holding every value (HDR precision)', () => {
    const all = recordRun({api, search})
    const shardA = recordRun(
      {api: api.filter((_, i) => i % 2 === 0), search: search.filter((_, i) => i % 2 === 0)},
      {shard: {index: 0, count: 2}},
    )
    const shardB = recordRun(
      {api: api.filter((_, i) => i % 2 === 1), search: search.filter((_, i) => i % 2 === 1)},
      {shard: {index: 1, count: 2}},
    )
    const merged = mergeRecords([shardA, shardB], ['a.json', 'b.json'])
    for (const series of ['api', 'search']) {
      const whole = decodeHistogram(all.variants[0]!.totals[series]!.latencyHistogram)
      const combined = decodeHistogram(merged.variants[0]!.totals[series]!.latencyHistogram)
      expect(combined.totalCount).toBe(whole.totalCount)
      for (const p of [50, 90, 99, 99.9, 100])
        expect(combined.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p))
      expect(merged.variants[0]!.totals[series]!.latency.p99).toBe(all.variants[0]!.totals[series]!.latency.p99)
      expect(merged.variants[0]!.totals[series]!.counts.requests).toBe(all.variants[0]!.totals[series]!.counts.requests)
    }
    expect(merged.variants[0]!.intervals.map((interval) => interval.series.api!.counts.requests)).toEqual(
      all.variants[0]!.intervals.map((interval) => interval.series.api!.counts.requests),
    )
    expect(merged.shard).toBeUndefined()
    expect(merged.sla.results).toHaveLength(1)
  })
})

describe('.hlog', () => {
  it('is read back by hdr-histogram-js HistogramLogReader with the same counts per tag', () => {
    const run = recordRun({api, search})
    const log = renderHlog(run)
    expect(log).toContain('#[Histogram log format version 1.3]')
    expect(hdr.listTags(log).sort()).toEqual(['api', 'search'])
    const reader = new hdr.HistogramLogReader(log)
    const counts: Record<string, number> = {}
    const total = {api: hdr.build(), search: hdr.build()} as Record<string, hdr.Histogram>
    for (let histogram = reader.nextIntervalHistogram(); histogram; histogram = reader.nextIntervalHistogram()) {
      counts[histogram.tag] = (counts[histogram.tag] ?? 0) + histogram.totalCount
      total[histogram.tag]!.add(histogram)
    }
    expect(counts).toEqual({api: api.length, search: search.length})
    expect(total.api!.getValueAtPercentile(99)).toBe(
      decodeHistogram(run.variants[0]!.totals.api!.latencyHistogram).getValueAtPercentile(99),
    )
  })
})

describe('report --compare', () => {
  it('calls two samples of the same distribution "no significant change"', () => {
    const base = recordRun({api: latencies(4000, 40, 11), search: latencies(1500, 120, 12)})
    const next = recordRun({api: latencies(4000, 40, 21), search: latencies(1500, 120, 22)})
    const comparison = compareRuns(base, next, {base: 'base.json', next: 'next.json'})
    expect(comparison.verdict).toBe('no significant change')
    expect(comparison.series.map((row) => row.verdict)).toEqual(['no significant change', 'no significant change'])
  })

  it('reports an injected slowdown as a regression of that series only, and the reverse as an improvement', () => {
    const base = recordRun({api: latencies(4000, 40, 11), search: latencies(1500, 120, 12)})
    const slow = recordRun({api: latencies(4000, 40, 21).map((value) => value * 1.3), search: latencies(1500, 120, 22)})
    const comparison = compareRuns(base, slow, {base: 'base.json', next: 'slow.json'})
    expect(comparison.verdict).toBe('regression')
    const api = comparison.series.find((row) => row.series === 'api')!
    expect(api.verdict).toBe('regression')
    expect(api.reason).toMatch(/median \+\d+\.\d% \(Mann-Whitney p=/)
    expect(comparison.series.find((row) => row.series === 'search')!.verdict).toBe('no significant change')
    expect(compareRuns(slow, base, {base: 'slow.json', next: 'base.json'}).verdict).toBe('improvement')
  })

  it('does not call a large but noisy difference on a handful of requests', () => {
    const base = recordRun({api: latencies(12, 40, 11)}, {intervals: 1})
    const next = recordRun({api: latencies(12, 60, 21)}, {intervals: 1})
    expect(compareRuns(base, next, {base: 'a', next: 'b'}).verdict).toBe('no significant change')
  })
})

describe('renderers', () => {
  it('puts the verdict first in Markdown and folds the details', () => {
    const run = recordRun(
      {api, search: latencies(40, 10, 9)},
      {sla: 'api: p(99)<1ms\nsearch: p(99)<1s\nerrors: rate<1%\n'},
    )
    const markdown = renderMarkdown(run)
    const lines = markdown.split('\n')
    expect(lines[0]).toMatch(/^## ❌ SLA failed — `synthetic`/)
    // The same counts and words as the terminal: only what was met, the undecided named.
    expect(lines[2]).toBe('1 of 3 targets met, 1 inconclusive.')
    expect(markdown).toMatch(
      /\| `api p\(99\)<1ms` \| FAIL \| \*\*[\d.]+ms\*\* \| n=4,000 · 95% CI [\d.]+ms–[\d.]+ms \|/,
    )
    expect(markdown).toMatch(
      /\| `search p\(99\)<1s` \| INCONCLUSIVE \| \*\*[\d.]+ms\*\* \| 40 samples; the 95% interval of the true p99 is [\d.]+ms–∞, which straddles 1s: about 368 samples would decide it \(a run of about 46s at this rate\) \|/,
    )
    expect(markdown).toContain('<details><summary>All SLA targets</summary>')
  })

  it('fits the terminal summary to a terminal: columns left out and lines flowed, never wider; in full without a width', () => {
    const run = recordRun(
      {recommendations: api, 'generate.accept': latencies(40, 10, 9), e2e: latencies(40, 1800, 3)},
      {sla: 'recommendations: p(99)<1ms\ngenerate.accept: p(99)<1s\nerrors: rate<1%\n', failEvery: 7},
    )
    const figures = {
      admitted: 1200,
      settled: 1180,
      estimatedTokens: 1_234_567,
      reservedTokens: 1_234_567,
      usedTokens: 1_100_000,
      refundedTokens: 134_567,
      estimateError: 0.112,
    }
    const quota: QuotaAccounting = {
      since: '',
      drained: true,
      client: {attempted: 1300, rejected: 100},
      totals: figures,
      users: [],
      tiers: [{...figures, tier: 'enterprise', users: 120}],
      invariants: {over_admitted: 0, drift: 0, open_reservations: 0, double_charged: 0},
    }
    const record = {
      ...run,
      quota,
      variants: [run.variants[0]!, {...run.variants[0]!, name: 'resilient-with-a-long-name'}],
    }
    const full = renderTerminal(record)
    expect(full).toMatch(/\n {2}series +requests +rate\/s +p50 +p90 +p99 +p99\.9 +max +ok +errors\n/)
    expect(full).toMatch(
      /\n {2}variant +goodput\/s +amplification +recommendations p99 +generate\.accept p99 +e2e p99 +errors\n/,
    )
    expect(full).not.toContain('left out to fit')
    for (const width of [60, 80, 120]) {
      const fitted = renderTerminal(record, {width})
      for (const line of fitted.split('\n')) expect(textWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width)
      for (const name of ['recommendations', 'generate.accept', 'e2e'])
        expect(fitted).toMatch(new RegExp(`\n {2}${name.replace('.', '\\.')} +\\d+ `))
    }
    const narrow = renderTerminal(record, {width: 80})
    expect(narrow).toMatch(/\n {2}series +requests +rate\/s +p50 +p99 +max +ok +errors\n/)
    expect(narrow).toContain('  (p90, p99.9 left out to fit 80 columns)')
    // Too wide for 80 columns side by side: one row per figure, one column per variant.
    expect(narrow).toMatch(/\n {2}variant +default +resilient-with-a-long-name\n {2}goodput\/s /)
    expect(narrow).toMatch(
      /\n {2}tier +admitted +estimated +reserved +used +refunded +est\. error\n {2}enterprise +1200 /,
    )
    expect(renderTerminal(record, {width: 60})).toMatch(/\n {2}series +requests +p50 +p99 +ok +errors\n/)
  })

  it('writes github-action-benchmark customSmallerIsBetter entries', () => {
    const entries = renderBenchmarkJson(recordRun({api}))
    expect(entries.map((entry) => entry.name)).toEqual([
      'synthetic api p50',
      'synthetic api p95',
      'synthetic api p99',
      'synthetic api error rate',
    ])
    expect(entries[2]).toMatchObject({unit: 'ms', value: expect.any(Number)})
  })
})

describe('server counters', () => {
  it('tells counters (_total) from gauges', () => {
    expect(
      [
        'cache_hits_total',
        'shed_total',
        'llm_rate_limited_total',
        'queue_depth.jobs',
        'in_flight.gateway',
        'breaker_state.llm',
      ].filter(isCounter),
    ).toEqual(['cache_hits_total', 'shed_total', 'llm_rate_limited_total'])
  })

  it('gives per-second rates between scrapes, skipping scrapes without the counter and counting a reset from 0', () => {
    const samples: GaugeSample[] = [
      {atMs: 0, values: {hits_total: 100}},
      {atMs: 2000, values: {hits_total: 120}},
      {atMs: 3000, values: {}},
      {atMs: 4000, values: {hits_total: 160}},
      {atMs: 4500, values: {hits_total: 5}},
    ]
    expect(counterRate(samples, 'hits_total')).toEqual([
      {atMs: 2000, perSecond: 10},
      {atMs: 4000, perSecond: 20},
      {atMs: 4500, perSecond: 10},
    ])
  })
})

describe('the Markdown summary on GitHub Actions', () => {
  const defaults = [{format: 'json' as const, file: 'runs/a.json'}]
  it('is added for $GITHUB_STEP_SUMMARY on CI, unless a --markdown already writes there', () => {
    const actions = {CI: 'true', GITHUB_STEP_SUMMARY: '/tmp/summary.md'}
    expect(withStepSummary(defaults, actions)).toEqual([...defaults, {format: 'markdown', file: '/tmp/summary.md'}])
    expect(withStepSummary([...defaults, {format: 'markdown', file: 'other.md'}], actions)).toHaveLength(3)
    expect(withStepSummary([...defaults, {format: 'markdown', file: '/tmp/../tmp/summary.md'}], actions)).toEqual([
      ...defaults,
      {format: 'markdown', file: '/tmp/../tmp/summary.md'},
    ])
  })

  it('is not added off CI or without the variable', () => {
    expect(withStepSummary(defaults, {GITHUB_STEP_SUMMARY: '/tmp/summary.md'})).toEqual(defaults)
    expect(withStepSummary(defaults, {CI: 'false', GITHUB_STEP_SUMMARY: '/tmp/summary.md'})).toEqual(defaults)
    expect(withStepSummary(defaults, {CI: 'true', GITHUB_STEP_SUMMARY: ''})).toEqual(defaults)
  })
})
