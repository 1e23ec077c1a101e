// Reports as a user gets them from the built CLI: `bench` judged by an SLA file (exit 99 and a
// failing JUnit case, or 0), a malformed SLA file (file:line, exit 2), the Markdown summary on
// GitHub Actions, the HTML report rendered by headless Chromium (and how its charts read), `report`
// re-rendering a record, `bench --shard` + `report merge`, `report --compare`.
import * as hdr from 'hdr-histogram-js'
import {mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchResult} from '../../src/commands/bench.js'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import {dumpDom, screenshot} from '../helpers/chromium.js'
import {runCli} from '../helpers/cli.js'
import {startServer, type TestServer} from '../helpers/http-servers.js'
import {latencies, recordRun} from '../helpers/run-records.js'

let dir: string
let server: TestServer
let profile: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-report-'))
  server = await startServer((request, response) => {
    request.resume()
    // One request in 40 fails, so the error targets have something to judge.
    const fail = request.url?.endsWith('/0')
    setTimeout(() => {
      response.statusCode = fail ? 503 : 200
      response.end('ok')
    }, 5)
  })
  profile = path.join(dir, 'api.yaml')
  await writeFile(
    profile,
    `duration: 2s\nrate: 40\nrequests:\n  - {name: api, method: GET, path: "/api/{{int 0 39}}"}\n  - {name: search, method: GET, path: /search, weight: 2}\n`,
  )
})
afterAll(async () => {
  await server.close()
  await rm(dir, {recursive: true, force: true})
})

const bench = (args: string[]) =>
  runCli(['bench', profile, '--target', server.url, '--seed', '5', ...args], {env: {CI: '1'}})

describe('bench judged by SLA targets', () => {
  it('exits 99 on an impossible target, with one failing JUnit test case for it', async () => {
    const sla = path.join(dir, 'impossible.yaml')
    await writeFile(sla, 'api: p(99)<0.001ms\nsearch: p(99)<1m\ndropped: ==0\n')
    const junit = path.join(dir, 'impossible.xml')
    const result = await bench(['--sla', sla, '--junit', junit, '--out', path.join(dir, 'impossible')])
    expect(result.exitCode, result.stderr).toBe(99)
    // 2 s at 40 req/s: about 27 api and 54 search requests. The api p99 is decided (every sample is
    // above 0.001 ms); the search p99 cannot be from so few, so it is inconclusive, and fails too.
    expect(result.stdout).toMatch(/SLA FAILED: 1 of 3 targets met, 1 inconclusive/)
    expect(result.stdout).toMatch(/FAIL\s+api p\(99\)<0\.001ms\s+[\d.]+ms\s+n=\d+ · 95% CI [\d.]+ms–∞/)
    expect(result.stdout).toMatch(
      /INCONCLUSIVE\s+search p\(99\)<1m\s+[\d.]+ms\s+n=\d+ · 95% CI [\d.]+ms–∞ · needs ~368 samples/,
    )
    expect(result.stdout).toMatch(
      /search p\(99\)<1m: \d+ samples; the 95% interval of the true p99 is [\d.]+ms–∞, which straddles 1m: about 368 samples would decide it \(a run of about \d+s at this rate\)/,
    )
    const xml = await readFile(junit, 'utf8')
    expect(xml).toMatch(/<testsuite name="sla api" tests="3" failures="2"/)
    expect([...xml.matchAll(/<testcase /g)]).toHaveLength(3)
    const failures = [
      ...xml.matchAll(
        /<testcase classname="sla.api" name="([^"]+)"[^>]*>\s*<failure message="([^"]+)" type="([^"]+)"/g,
      ),
    ]
    expect(failures.map((match) => [match[1], match[3]])).toEqual([
      ['api p(99)&lt;0.001ms', 'SLA_FAILED'],
      ['search p(99)&lt;1m', 'SLA_INCONCLUSIVE'],
    ])
    expect(failures[0]![2]).toMatch(/^api: observed [\d.]+(ms|s), target p\(99\)&lt;0.001ms \(95% CI [\d.]+ms–∞\)$/)
    expect(failures[1]![2]).toMatch(/^search: inconclusive, target p\(99\)&lt;1m: \d+ samples; the 95% interval/)
    expect(await readdir(path.join(dir, 'impossible'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^api-.*\.json$/), expect.stringMatching(/^api-.*\.html$/)]),
    )
  })

  it('exits 0 when every target is met, and records the verdict in the run record', async () => {
    const sla = path.join(dir, 'achievable.yaml')
    await writeFile(
      sla,
      'sla:\n  api: {threshold: p(99)<1m, allowInconclusive: true}\n  search: [p(50)<1m, "max<10m"]\n  errors: rate<50%\n  dropped: ==0\n',
    )
    const result = await runCli([
      'bench',
      profile,
      '--target',
      server.url,
      '--seed',
      '5',
      '--sla',
      sla,
      '--out',
      path.join(dir, 'ok'),
      '--json',
    ])
    expect(result.exitCode, result.stderr).toBe(0)
    const body = JSON.parse(result.stdout) as BenchResult
    expect(body.run.schemaVersion).toBe(1)
    expect(body.run.sla.passed).toBe(true)
    // About 27 api requests cannot decide a p99; this target accepts that explicitly, so it is met.
    expect(body.run.sla.results.map((r) => [r.name, r.status, r.met])).toEqual([
      ['api p(99)<1m', 'inconclusive', true],
      ['search p(50)<1m', 'pass', true],
      ['search max<10m', 'pass', true],
      ['errors rate<50%', 'pass', true],
      ['dropped ==0', 'pass', true],
    ])
    expect(body.error).toBeUndefined()
    const errors = body.run.sla.results.find((r) => r.metric === 'errors')!
    const api = body.run.variants[0]!.totals.api!
    expect(errors.observed!.value).toBeGreaterThan(0)
    expect(api.counts.failed.http5xx).toBeGreaterThan(0)
    expect(body.reports.map((report) => report.format)).toEqual(['json', 'html'])
  })

  it('reports a malformed SLA file as file:line and exits 2', async () => {
    const sla = path.join(dir, 'broken.yaml')
    await writeFile(sla, 'api: p(99)<200ms\nsearch: p(99)<fast\nerrors: {threshold: rate<1%, abortOnFail: maybe}\n')
    const result = await bench(['--sla', sla])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('[SLA_FILE_INVALID]')
    expect(result.stderr).toMatch(/broken\.yaml:2:9: sla\.search: cannot parse threshold "p\(99\)<fast"/)
    expect(result.stderr).toMatch(/broken\.yaml:3:43: errors\.abortOnFail: expected true or false, got "maybe"/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('stops the run early when an abortOnFail target fails', async () => {
    const sla = path.join(dir, 'abort.yaml')
    await writeFile(sla, 'errors:\n  threshold: rate<0.1%\n  abortOnFail: true\n')
    const slow = path.join(dir, 'long.yaml')
    await writeFile(
      slow,
      `duration: 60s\nrate: 40\nrequests:\n  - {name: api, method: GET, path: "/api/{{int 0 9}}"}\n`,
    )
    const result = await runCli(
      ['bench', slow, '--target', server.url, '--sla', sla, '--out', path.join(dir, 'abort'), '--json'],
      {env: {CI: '1'}},
    )
    expect(result.exitCode, result.stderr).toBe(99)
    const body = JSON.parse(result.stdout) as BenchResult
    expect(body.run.sla.abortedBy).toMatch(/^errors rate<0\.1% \(observed/)
    expect(body.run.variants[0]!.stoppedEarly).toBe(true)
    expect(body.run.variants[0]!.durationMs).toBeLessThan(60_000)
  })
})

describe('the Markdown summary on GitHub Actions', () => {
  // What GitHub Actions sets; the summary file already holds an earlier step's summary.
  const actions = async (name: string) => {
    const summary = path.join(dir, `${name}-step-summary.md`)
    await writeFile(summary, '## an earlier step\n')
    await writeFile(path.join(dir, 'summary-sla.yaml'), 'api: p(50)<1m\nerrors: rate<50%\n')
    const run = (args: string[]) =>
      runCli(
        [
          'bench',
          profile,
          '--target',
          server.url,
          '--seed',
          '5',
          '--sla',
          path.join(dir, 'summary-sla.yaml'),
          '--no-html',
          '--out',
          path.join(dir, name),
          ...args,
        ],
        {env: {CI: 'true', GITHUB_STEP_SUMMARY: summary}},
      )
    return {summary, run}
  }
  const summaries = (markdown: string) => markdown.match(/^## ✅ SLA passed — `api`/gm) ?? []

  it('bench appends the summary to $GITHUB_STEP_SUMMARY without --markdown, once', async () => {
    const {summary, run} = await actions('default')
    const result = await run([])
    expect(result.exitCode, result.stderr).toBe(0)
    const markdown = await readFile(summary, 'utf8')
    expect(markdown.startsWith('## an earlier step\n## ✅ SLA passed — `api` (seed 5, ')).toBe(true)
    expect(summaries(markdown)).toHaveLength(1)
    expect(result.stdout).toContain(`markdown report written to ${summary}`)
  })

  it('with --markdown FILE writes FILE too, and the job summary still once', async () => {
    const {summary, run} = await actions('explicit')
    const other = path.join(dir, 'explicit', 'other.md')
    const result = await run(['--markdown', other])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(summaries(await readFile(other, 'utf8'))).toHaveLength(1)
    expect(summaries(await readFile(summary, 'utf8'))).toHaveLength(1)
  })

  it('with --markdown "$GITHUB_STEP_SUMMARY" appends once, not twice', async () => {
    const {summary, run} = await actions('same')
    const result = await run(['--markdown', summary, '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(summaries(await readFile(summary, 'utf8'))).toHaveLength(1)
    expect((JSON.parse(result.stdout) as BenchResult).reports.map((report) => report.format)).toEqual([
      'json',
      'markdown',
    ])
  })
})

describe('reports from a run record', () => {
  let record: string
  beforeAll(async () => {
    const out = path.join(dir, 'runs')
    const sla = path.join(dir, 'lenient.yaml')
    await writeFile(sla, 'api: p(50)<1m\nerrors: rate<50%\n')
    const result = await bench(['--out', out, '--json', '--sla', sla, '--hlog', path.join(dir, 'run.hlog')])
    expect(result.exitCode, result.stderr).toBe(0)
    record = path.join(
      out,
      (await readdir(out)).find((name) => name.endsWith('.json'))!,
    )
  })

  it('renders the HTML report in headless Chromium: every chart drawn, timeline markers, a screenshot', async () => {
    const data = JSON.parse(await readFile(record, 'utf8')) as RunRecord
    // The timeline and server gauges come from a stack; give the record some so those charts draw.
    const withExtras = recordRun({api: latencies(400, 30, 3)}, {sla: 'api: p(99)<1s\n'})
    data.variants[0]!.timeline = withExtras.variants[0]!.timeline
    data.variants[0]!.gauges = withExtras.variants[0]!.gauges
    const enriched = path.join(dir, 'enriched.json')
    await writeFile(enriched, JSON.stringify(data))
    const html = path.join(dir, 'report.html')
    const rendered = await runCli(['report', enriched, '--format', 'html', '--out', html])
    expect(rendered.exitCode, rendered.stderr).toBe(0)
    const page = await readFile(html, 'utf8')
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!127\.0\.0\.1)/)
    const dom = await dumpDom(html)
    const charts = [
      ...dom.matchAll(
        /<figure class="chart-box" data-chart="([^"]+)" data-drawn="(yes|no)" data-marks="(\d+)" data-markers="(\d+)"/g,
      ),
    ].map((match) => ({id: match[1]!, drawn: match[2], marks: Number(match[3]), markers: Number(match[4])}))
    expect(charts.map((chart) => chart.id).sort()).toEqual([
      'v0-gauges',
      'v0-latency-api',
      'v0-latency-search',
      'v0-retries',
      'v0-spectrum',
      'v0-throughput',
    ])
    expect(charts.filter((chart) => chart.drawn !== 'yes')).toEqual([])
    expect(charts.find((chart) => chart.id === 'v0-latency-api')).toMatchObject({marks: 3, markers: 1})
    expect(charts.find((chart) => chart.id === 'v0-spectrum')!.marks).toBe(2)
    expect(dom).toMatch(/data-charts-drawn="6"/)
    const png = path.join(dir, 'report.png')
    await screenshot(html, png)
    const image = await readFile(png)
    expect(image.subarray(1, 4).toString()).toBe('PNG')
    expect((await stat(png)).size).toBeGreaterThan(20_000)
  })

  it('draws the percentile spectrum on log axes, counters as per-second rates and says what sent and offered count', async () => {
    // A fast series and one 100x slower, as a stack's accept and end-to-end are; 3,000 samples each reach past 99.9%.
    const run = recordRun(
      {accept: latencies(3000, 5, 11), e2e: latencies(3000, 500, 12)},
      {intervals: 5, offeredPerSecond: 600},
    )
    // A counter that grows by 10 a second (scraped each second), and a gauge that moves.
    run.variants[0]!.gauges = [0, 1, 2, 3, 4, 5].map((second) => ({
      atMs: second * 1000,
      values: {cache_hits_total: 1000 + 10 * second, 'queue_depth.jobs': second % 3},
    }))
    const file = path.join(dir, 'charts.json')
    await writeFile(file, JSON.stringify(run))
    const html = path.join(dir, 'charts.html')
    expect((await runCli(['report', file, '--format', 'html', '--out', html])).exitCode).toBe(0)
    const dom = await dumpDom(html)
    const figure = (id: string) =>
      new RegExp(`<figure class="chart-box" data-chart="${id}"[^>]*>[\\s\\S]*?</figure>`).exec(dom)?.[0] ?? ''
    expect(dom).toMatch(/data-charts-drawn="8"/)
    // The run's timeline (a cache flush) has a cascade chart: the event marked beside the hit rate.
    expect(figure('v0-cascade')).toMatch(/data-drawn="yes" data-marks="1"/)
    expect(figure('v0-cascade')).toMatch(/data-series="cache hit rate %"/)

    const spectrum = figure('v0-spectrum')
    expect(spectrum).toMatch(/data-drawn="yes" data-marks="2"/)
    expect(spectrum).toMatch(/<svg class="chart"[^>]* data-x-scale="log" data-y-scale="log"/)
    const ticks = [...spectrum.matchAll(/<text class="tick"[^>]*>([^<]+)<\/text>/g)].map((match) => match[1])
    expect(ticks).toEqual(expect.arrayContaining(['0%', '90%', '99%', '99.9%', '1ms', '1s']))
    // The fast series is not flattened by the slow one: its line climbs a good part of the chart's height.
    const heights = (series: string) =>
      [
        ...(
          new RegExp(`<path class="line" data-series="${series}"[^>]* d="([^"]+)"`).exec(spectrum)?.[1] ?? ''
        ).matchAll(/[ML][\d.]+,([\d.]+)/g),
      ].map((match) => Number(match[1]))
    const climb = (series: string) => Math.max(...heights(series)) - Math.min(...heights(series))
    expect(climb('accept')).toBeGreaterThan(40)
    expect(climb('e2e')).toBeGreaterThan(40)

    const counters = figure('v0-counters')
    expect(counters).toMatch(/data-drawn="yes" data-marks="1"/)
    const rates = /<path class="line" data-series="cache_hits_total \/s" data-points="([^"]+)"/
      .exec(counters)![1]!
      .split(' ')
      .map((point) => Number(point.split(',')[1]))
    expect(rates).toEqual([10, 10, 10, 10, 10])
    expect(counters).not.toContain('queue_depth')
    const gauges = figure('v0-gauges')
    expect(gauges).toMatch(/data-series="queue_depth.jobs" data-points="0,0 1,1 2,2 3,0 4,1 5,2"/)
    expect(gauges).not.toContain('cache_hits_total')

    const throughput = figure('v0-throughput')
    expect(throughput).toMatch(
      /<p class="note">offered: the original requests the arrival curve asked for\. sent: every request that went out — originals, their retries and status polls/,
    )
  })

  it('re-renders JUnit and the hlog from the record; the .hlog from bench reads back with the same counts', async () => {
    const junit = await runCli(['report', record, '--format', 'junit'])
    expect(junit.exitCode).toBe(0)
    expect(junit.stdout).toMatch(/<testsuite name="sla api"/)
    const data = JSON.parse(await readFile(record, 'utf8')) as RunRecord
    const reader = new hdr.HistogramLogReader(await readFile(path.join(dir, 'run.hlog'), 'utf8'))
    const counts: Record<string, number> = {}
    for (let histogram = reader.nextIntervalHistogram(); histogram; histogram = reader.nextIntervalHistogram())
      counts[histogram.tag] = (counts[histogram.tag] ?? 0) + histogram.totalCount
    expect(counts).toEqual({
      api: data.variants[0]!.totals.api!.counts.requests,
      search: data.variants[0]!.totals.search!.counts.requests,
    })
    const missing = await runCli(['report', path.join(dir, 'nope.json')])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/nope\.json: no such file/)
  })

  it('merges two shards into one record with one verdict', async () => {
    const out = path.join(dir, 'shards')
    for (const shard of ['1/2', '2/2'])
      expect(
        (await bench(['--shard', shard, '--out', out, '--no-html', '--sla', path.join(dir, 'lenient.yaml')])).exitCode,
      ).toBe(0)
    const files = (await readdir(out)).filter((name) => name.endsWith('.json')).map((name) => path.join(out, name))
    expect(files).toHaveLength(2)
    const summary = path.join(dir, 'merge-step-summary.md')
    const result = await runCli(['report', 'merge', ...files, '--out', path.join(dir, 'merged'), '--json'], {
      env: {CI: 'true', GITHUB_STEP_SUMMARY: summary},
    })
    expect(result.exitCode, result.stderr).toBe(0)
    // On GitHub Actions the merged run's summary goes to the job summary, as bench's does.
    expect((await readFile(summary, 'utf8')).match(/^## ✅ SLA passed — `api`/gm)).toHaveLength(1)
    const merged = JSON.parse(
      await readFile(
        path.join(
          dir,
          'merged',
          (await readdir(path.join(dir, 'merged'))).find((name) => name.endsWith('.json'))!,
        ),
        'utf8',
      ),
    ) as RunRecord
    const shards = await Promise.all(files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as RunRecord))
    const single = JSON.parse(await readFile(record, 'utf8')) as RunRecord
    // The shards together are the whole schedule of the unsharded run (same seed).
    expect(merged.variants[0]!.totals.api!.counts.requests).toBe(
      shards.reduce((sum, shard) => sum + shard.variants[0]!.totals.api!.counts.requests, 0),
    )
    expect(merged.variants[0]!.totals.api!.counts.requests + merged.variants[0]!.totals.search!.counts.requests).toBe(
      single.variants[0]!.totals.api!.counts.requests + single.variants[0]!.totals.search!.counts.requests,
    )
    expect(merged.meta.mergedFrom).toEqual(files)
    expect(JSON.parse(result.stdout).sla.results.length).toBe(merged.sla.results.length)
  })

  it('compares runs: "no significant change" for the same distribution, a regression for an injected slowdown (exit 99)', async () => {
    const write = async (name: string, run: RunRecord) => {
      const file = path.join(dir, name)
      await writeFile(file, JSON.stringify(run))
      return file
    }
    const base = await write('base.json', recordRun({api: latencies(3000, 25, 31), search: latencies(1000, 80, 32)}))
    const same = await write('same.json', recordRun({api: latencies(3000, 25, 41), search: latencies(1000, 80, 42)}))
    const slow = await write(
      'slow.json',
      recordRun({api: latencies(3000, 25, 41).map((value) => value + 10), search: latencies(1000, 80, 42)}),
    )
    const unchanged = await runCli(['report', '--compare', base, same])
    expect(unchanged.exitCode, unchanged.stderr).toBe(0)
    expect(unchanged.stdout.trim().split('\n').at(-1)).toBe('no significant change')
    const regressed = await runCli(['report', '--compare', base, slow])
    expect(regressed.exitCode).toBe(99)
    expect(regressed.stdout).toMatch(/api\s+.*regression/)
    expect(regressed.stdout).toMatch(/api: regression — median \+\d+\.\d% \(Mann-Whitney p=/)
    expect(regressed.stdout).toMatch(/REGRESSION/)
  })
})
