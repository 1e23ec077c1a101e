import {execa} from 'execa'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {textWidth} from '../../src/lib/text/fit-width.js'
import {ROOT} from '../helpers/cli.js'

async function demo(name: string): Promise<Record<string, string>> {
  const env = {...process.env}
  delete env.CI
  const result = await execa(process.execPath, [path.join(ROOT, 'test/helpers', name)], {env, extendEnv: false})
  return JSON.parse(result.stdout) as Record<string, string>
}

describe('LiveReporter', () => {
  it('draws tasks with progress bars, their outcome, and messages above them', async () => {
    const {midRun, final} = await demo('live-reporter-demo.mjs')
    expect(midRun).toContain('██████████░░░░░░░░░░ 50/100 events (50%) · events/s 21000')
    expect(final).toContain('replaying user-events')
    expect(final).toContain('✔ replay 100 events')
    expect(final).toContain('✖ gateway exited with code 1')
    expect(final).toContain('warning: 1 component failed')
  })

  it('draws a bench as a line per series, every line within the width, and fits a resize', async () => {
    const {wide, narrow} = await demo('live-bench-demo.mjs')
    for (const [width, drawn] of [
      [160, wide!],
      [60, narrow!],
    ] as const) {
      for (const line of drawn.split('\n')) expect(textWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width)
      for (const name of ['recommendations', 'events', 'generate.accept', 'status', 'e2e'])
        expect(drawn).toMatch(new RegExp(`\n {2}${name.replace('.', '\\.')} +p99 `))
      expect(drawn).toContain('offered 145/s (originals)')
      expect(drawn).toContain('sent 177/s (incl. polls, retries)')
    }
    expect(wide).toMatch(/\n {2}generate\.accept +p99 +14\.2ms +ok +100%/)
    expect(wide).toMatch(/\n {2}e2e +p99 +2\.31s +ok +97\.9%/)
    // Laid out again for 60 columns, not only cut: the gauges flow onto more lines.
    expect(narrow).toContain('\n  sent 177/s (incl. polls, retries) · in-flight 12\n')
  })
})
