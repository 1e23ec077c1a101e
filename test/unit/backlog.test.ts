// Backlogs that grew during a run, read from the scraped server gauges: a queue whose consumers
// fell behind is named in the terminal summary and the Markdown and HTML reports; a queue that is
// steady, small, or drains is not.
import {describe, expect, it} from 'vitest'
import {describeBacklog, grownBacklogs} from '../../src/lib/measure/backlog.js'
import type {GaugeSample} from '../../src/lib/measure/gauge-scraper.js'
import {formatRunSummary} from '../../src/lib/measure/summary-text.js'
import {renderHtml} from '../../src/lib/report/render-html.js'
import {renderMarkdown} from '../../src/lib/report/render-markdown.js'
import {latencies, recordRun} from '../helpers/run-records.js'

/** One sample a second, from the given values per gauge. */
const samples = (series: Record<string, number[]>): GaugeSample[] => {
  const length = Math.max(...Object.values(series).map((values) => values.length))
  return Array.from({length}, (_, index) => ({
    atMs: index * 1000,
    values: Object.fromEntries(
      Object.entries(series).flatMap(([key, values]) => (values[index] === undefined ? [] : [[key, values[index]!]])),
    ),
  }))
}

describe('grownBacklogs', () => {
  it('names a queue that grew and a consumer lag that grew, with where they went and how fast', () => {
    const gauges = samples({
      'queue_depth.inference_requests': [0, 400, 900, 1500, 2100, 2600, 3200, 3900],
      'consumer_lag.projector': [5, 5, 6, 150, 300, 450, 600, 800],
      'queue_depth.inference_results': [3, 2, 4, 3, 2, 3, 4, 2],
      cache_hits_total: [0, 10, 20, 30, 40, 50, 60, 70],
    })
    const grown = grownBacklogs(gauges)
    expect(grown).toEqual([
      {kind: 'lag', name: 'projector', from: 5, to: 800, perSecond: (800 - 5) / 7},
      {kind: 'queue', name: 'inference_requests', from: 0, to: 3900, perSecond: 3900 / 7},
    ])
    expect(describeBacklog(grown[1]!)).toBe(
      'backlog: queue inference_requests grew from 0 to 3,900 messages during the run (about +557/s while it grew): its consumers did not keep up, so whatever waits on it slows the longer the run goes',
    )
    expect(describeBacklog(grown[0]!)).toMatch(/^backlog: consumer group projector's lag grew from 5 to 800 records/)
  })

  it('gives the rate at which it grew, not the average over a run that went on after it stopped growing', () => {
    const [grown] = grownBacklogs(samples({'queue_depth.inference_requests': [0, 100, 200, 300, 300, 300, 300, 300]}))
    expect(grown).toMatchObject({from: 0, to: 300, perSecond: 100})
  })

  it('leaves out a queue that stays small, one that started deep and stayed so, one that drains, and too few samples', () => {
    expect(grownBacklogs(samples({'queue_depth.small': [0, 10, 20, 30, 40, 50, 60, 90]}))).toEqual([])
    expect(grownBacklogs(samples({'queue_depth.steady': [5000, 5100, 4900, 5050, 5000, 5200, 5100, 5150]}))).toEqual([])
    expect(grownBacklogs(samples({'queue_depth.draining': [4000, 3000, 2000, 1000, 500, 200, 100, 0]}))).toEqual([])
    expect(grownBacklogs(samples({'queue_depth.short': [0, 5000, 9000]}))).toEqual([])
    expect(grownBacklogs([])).toEqual([])
  })
})

describe('reports', () => {
  it('show a grown backlog under the variant in the terminal summary and the HTML, and above the details in Markdown', () => {
    const record = recordRun({generate: latencies(400, 20, 3)})
    expect(formatRunSummary(record)).not.toContain('backlog:')
    expect(renderMarkdown(record)).not.toContain('backlog:')
    expect(renderHtml(record)).not.toContain('class="backlog"')
    record.variants[0]!.gauges = samples({
      'queue_depth.inference_requests': [0, 500, 1000, 1500, 2000, 2500, 3000, 3500],
    })
    const line =
      'backlog: queue inference_requests grew from 0 to 3,500 messages during the run (about +500/s while it grew)'
    expect(formatRunSummary(record)).toContain(line)
    const markdown = renderMarkdown(record)
    expect(markdown).toContain(`> ⚠️ ${line}`)
    expect(markdown.indexOf(line)).toBeLessThan(markdown.indexOf('<details>'))
    expect(renderHtml(record)).toContain(`<p class="backlog">${line}`)
  })

  it('state the send lag the generator achieved in every format, so a reader sees whether it kept up', () => {
    const record = recordRun({generate: latencies(400, 20, 3)})
    record.variants[0]!.sendLag = {...record.variants[0]!.sendLag, p50: 0.012, p99: 0.5, max: 2.6}
    const text = /send lag p50 12us · p99 500us · max 2\.6ms/
    expect(formatRunSummary(record)).toMatch(text)
    expect(renderMarkdown(record)).toMatch(text)
    expect(renderHtml(record)).toMatch(text)
  })
})
