import {describe, expect, it} from 'vitest'
import {BenchProgressView} from '../../src/lib/bench/progress-view.js'
import type {BenchProgress} from '../../src/lib/bench/progress-view.js'
import {sparkline} from '../../src/lib/measure/summary-text.js'
import {LineReporter} from '../../src/lib/ui/line-reporter.js'

const progress = (overrides: Partial<BenchProgress>): BenchProgress => ({
  variant: 'naive',
  variantIndex: 0,
  variants: 2,
  phase: 'steady',
  elapsedMs: 3000,
  durationMs: 10_000,
  offeredRate: 145,
  sentRate: 177.4,
  polls: true,
  inFlight: 12,
  errors: {timeout: 3, http5xx: 1},
  retries: 4,
  late: 0,
  dropped: 2,
  series: [
    {name: 'generate.accept', requests: 40, succeeded: 40, p99: 14.2},
    {name: 'e2e', requests: 38, succeeded: 37, p99: 1840},
  ],
  ...overrides,
})

function linesOf(run: (view: BenchProgressView, tick: () => void) => void): Promise<string> {
  const lines: string[] = []
  let now = 0
  const reporter = new LineReporter({
    write: (line) => lines.push(line),
    throttleMs: 0,
    now: () => now,
    setInterval: () => 0,
    clearInterval: () => {},
  })
  const view = new BenchProgressView(reporter, 'retry-storm')
  run(view, () => (now += 1000))
  view.finish()
  return reporter.close().then(() => lines.join(''))
}

describe('bench progress', () => {
  it('says what each rate counts, and gives each series its own p99, success share and trend', async () => {
    const text = await linesOf((view, tick) => {
      view.update(progress({}))
      tick()
      view.update(
        progress({elapsedMs: 4000, series: [{name: 'generate.accept', requests: 40, succeeded: 40, p99: 28.4}]}),
      )
      view.update(progress({variant: 'resilient', variantIndex: 1}))
    })
    expect(text).toContain('retry-storm · naive ...')
    expect(text).toContain(
      'retry-storm · naive: steady · 4/10 s (40%) · offered=145/s (originals) · sent=177/s (incl. polls, retries) · in-flight=12 · errors=timeout:3,5xx:1 · retries=4 · dropped=2\n',
    )
    // e2e had no outcome in the second interval: no figure, and a low bar in its trend.
    expect(text).toContain('   generate.accept: p99=28.4ms · ok=100% · trend=▄█\n')
    expect(text).toContain('   e2e:             p99=- · ok=- · trend=█▁\n')
    expect(text).toContain('   e2e:             p99=1.84s · ok=97.3% · trend=█\n')
    expect(text).toMatch(/retry-storm · naive ok/)
    expect(text).toContain('retry-storm · resilient ...')
  })

  it('leaves polls out of what sent counts when the run does not poll', async () => {
    const text = await linesOf((view) => view.update(progress({polls: false, series: []})))
    expect(text).toContain('sent=177/s (incl. retries)')
  })

  it('draws a sparkline scaled to the largest value', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▁▂▄█')
    expect(sparkline([0, 0])).toBe('▁▁')
  })
})
