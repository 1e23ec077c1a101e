import {describe, expect, it} from 'vitest'
import {BenchProgressView} from '../../src/lib/load/bench-progress.js'
import type {BenchProgress} from '../../src/lib/load/bench-run.js'
import {sparkline} from '../../src/lib/measure/summary-text.js'
import {LineReporter} from '../../src/lib/ui/line-reporter.js'

const progress = (overrides: Partial<BenchProgress>): BenchProgress => ({
  variant: 'naive', variantIndex: 0, variants: 2, phase: 'steady', elapsedMs: 3000, durationMs: 10_000,
  offeredRate: 150, achievedRate: 148.6, inFlight: 12, p99: 42.25, errors: {timeout: 3, http5xx: 1}, retries: 4, late: 0, dropped: 2,
  ...overrides,
})

describe('bench progress', () => {
  it('shows phase, rates, in-flight, p99 trend, errors and retries, one task per variant', async () => {
    const lines: string[] = []
    let now = 0
    const reporter = new LineReporter({write: (line) => lines.push(line), throttleMs: 0, now: () => now, setInterval: () => 0, clearInterval: () => {}})
    const view = new BenchProgressView(reporter, 'retry-storm')
    view.update(progress({}))
    now = 1000
    view.update(progress({p99: 84.5, elapsedMs: 4000}))
    view.update(progress({variant: 'resilient', variantIndex: 1}))
    view.finish()
    await reporter.close()
    const text = lines.join('')
    expect(text).toContain('retry-storm · naive ...')
    expect(text).toMatch(/retry-storm · naive: steady · 4\/10 s \(40%\) · offered=150\/s · achieved=149\/s · in-flight=12 · p99=84\.5ms · trend=▄█ · errors=timeout:3,5xx:1 · retries=4 · dropped=2/)
    expect(text).toMatch(/retry-storm · naive ok/)
    expect(text).toContain('retry-storm · resilient ...')
  })

  it('draws a sparkline scaled to the largest value', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▁▂▄█')
    expect(sparkline([0, 0])).toBe('▁▁')
  })
})
