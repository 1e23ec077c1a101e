// The "published vs reproduced" table of a StreamFlow-calibrated run: each figure read from the
// record's own client series and server scrapes, per window, and left out of any other run.
import {describe, expect, it} from 'vitest'
import type {GaugeSample} from '../../src/lib/measure/gauge-scraper.js'
import type {VariantData} from '../../src/lib/measure/run-data.js'
import {RunRecorder} from '../../src/lib/measure/series-recorder.js'
import {publishedComparison} from '../../src/lib/report/published-figures.js'
import {renderHtml} from '../../src/lib/report/render-html.js'
import {renderMarkdown} from '../../src/lib/report/render-markdown.js'
import {renderTerminal} from '../../src/lib/report/render-terminal.js'
import {recordRun} from '../helpers/run-records.js'

/** 10 one-second intervals: a normal phase (0-5 s) and a storm (5-10 s) with slower, failing, degraded answers. */
function stormVariant(name: string, calibrated = true): VariantData {
  const recorder = new RunRecorder()
  for (let second = 0; second < 10; second++) {
    const phase = second < 5 ? 'normal' : 'storm'
    const handle = recorder.series('recommendations', phase)
    for (let index = 0; index < 100; index++) {
      const storm = phase === 'storm'
      const latency = storm ? (index < 50 ? 900 : 1800) : index < 80 ? 1 : 800
      const failed = storm && index < 4
      handle.send(false, false)
      handle.attempt(latency, failed ? 'http5xx' : undefined)
      if (storm && index >= 4 && index < 10) handle.send(true, false)
      handle.outcome(latency, failed ? 'http5xx' : undefined, storm && index >= 90)
    }
    recorder.closeInterval((second + 1) * 1000, 0)
  }
  // Server scrapes: 80 hits and 20 misses a second while normal, 20 and 80 in the storm.
  const gauges: GaugeSample[] = []
  let hits = 0
  let misses = 0
  for (let second = 0; second <= 10; second++) {
    gauges.push({
      atMs: second * 1000,
      values: {
        cache_hits_total: hits,
        cache_misses_total: misses,
        recommendation_hit_total: hits,
        recommendation_hit_seconds_total: hits * 0.0002,
        recommendation_miss_total: misses,
        recommendation_miss_seconds_total: misses * 0.8,
        'queue_depth.recommender': second > 5 ? 35 : 0,
      },
    })
    hits += second < 5 ? 80 : 20
    misses += second < 5 ? 20 : 80
  }
  return {
    ...recordRun({}).variants[0]!,
    name,
    durationMs: 10_000,
    settings: calibrated ? {calibration: {name: 'streamflow', costs: {vectorSearchMs: 150}}} : {},
    totals: recorder.totalsData(),
    phases: recorder.phasesData(),
    intervals: recorder.intervals,
    phaseWindows: [
      {name: 'normal', startMs: 0, endMs: 5000},
      {name: 'storm', startMs: 5000, endMs: 10_000},
    ],
    timeline: [{atMs: 5000, firedAtMs: 5000, action: 'content-drop', ok: true}],
    gauges,
  }
}

describe('published vs reproduced', () => {
  it('reads each figure from the window it is about, for every variant', () => {
    const run = {
      ...recordRun({}),
      profile: 'cache-storm',
      variants: [stormVariant('all-at-once'), stormVariant('gradual')],
    }
    const table = publishedComparison(run)!
    expect(table.header).toEqual(['figure', 'published', 'all-at-once', 'gradual'])
    expect(table.windows).toBe('normal: 0us–5s; degraded: storm, 5s–10s')
    const row = (figure: string) => table.rows.find((cells) => cells[0] === figure)?.slice(1)
    expect(row('cache hit rate, normal')).toEqual(['80%', '80%', '80%'])
    expect(row('cache hit rate, degraded')).toEqual(['20% in a storm', '20%', '20%'])
    expect(row('latency on a hit (gateway, mean)')).toEqual(['75 ms', '200us', '200us'])
    expect(row('latency on a miss (gateway, mean)')).toEqual(['835 ms', '800ms', '800ms'])
    expect(row('error rate, normal')).toEqual(['0.1%', '0%', '0%'])
    expect(row('error rate, degraded')).toEqual(['2–5%', '4%', '4%'])
    expect(row('degraded answers (fallbacks), whole run')).toEqual(['—', '5% (50)', '5% (50)'])
    expect(row('recommender queue, max')).toEqual(['0–1000', '35', '35'])
    expect(row('amplification (attempts per request), degraded')?.[1]).toBe('1.06x')
    expect(row('goodput (successes/s), normal → degraded')?.[1]).toBe('100.0 → 96.0')
    const degraded = row('recommendations p50 / p95, degraded')![1]!
    expect(degraded).toMatch(/^(900|900\.1|899\.\d+)ms \/ 1\.8\d*s$/)
    // Figures no variant has data for (LLM 429s, the inference queue) are left out.
    expect(table.rows.map((cells) => cells[0])).not.toContain('LLM 429s (limit 500/min)')
    const record = {
      ...run,
      schemaVersion: 1 as const,
      meta: {streamctl: 'test', node: 'v20', host: 'h'},
      sla: {passed: true, targets: [], results: []},
    }
    expect(renderTerminal(record)).toContain('StreamFlow: published vs reproduced (cache-storm)')
    expect(renderMarkdown(record)).toMatch(/\| cache hit rate, degraded \| 20% in a storm \| 20% \| 20% \|/)
    // HTML: the table, and the cascade chart with the content drop marked beside the figures that show it.
    const html = renderHtml(record)
    expect(html).toContain('<table id="published">')
    const cascade = /<figure class="chart-box" data-chart="v0-cascade"[\s\S]*?<\/figure>/.exec(html)?.[0] ?? ''
    expect(cascade).toContain('content-drop')
    expect(cascade).toMatch(/data-series="cache hit rate %"/)
    expect(cascade).toMatch(/data-series="recommender queue"/)
  })

  it('is left out of a run that is not calibrated to StreamFlow', () => {
    expect(publishedComparison({...recordRun({}), variants: [stormVariant('plain', false)]})).toBeUndefined()
  })
})
