import {describe, expect, it} from 'vitest'
import {LineReporter} from '../../src/lib/ui/line-reporter.js'
import {chooseOutputMode, isCI, useColor} from '../../src/lib/ui/output-mode.js'

describe('chooseOutputMode', () => {
  it('uses the live view only for a terminal outside CI', () => {
    expect(chooseOutputMode({json: false, isTTY: true, env: {}})).toBe('live')
    expect(chooseOutputMode({json: false, isTTY: false, env: {}})).toBe('lines')
    expect(chooseOutputMode({json: false, isTTY: true, env: {CI: 'true'}})).toBe('lines')
    expect(chooseOutputMode({json: false, isTTY: true, env: {TERM: 'dumb'}})).toBe('lines')
    expect(chooseOutputMode({json: true, isTTY: true, env: {}})).toBe('json')
  })

  it('treats CI=false and CI=0 as not CI', () => {
    expect(isCI({CI: 'false'})).toBe(false)
    expect(isCI({CI: '0'})).toBe(false)
    expect(isCI({CI: '1'})).toBe(true)
  })

  it('never colours outside the live view, nor with NO_COLOR', () => {
    expect(useColor('lines', {})).toBe(false)
    expect(useColor('live', {NO_COLOR: '1'})).toBe(false)
    expect(useColor('live', {})).toBe(true)
  })
})

describe('LineReporter', () => {
  function setup(options: {throttleMs?: number; heartbeatMs?: number} = {}) {
    let now = 0
    const lines: string[] = []
    let tick: () => void = () => {}
    const reporter = new LineReporter({
      write: (line) => lines.push(line),
      now: () => now,
      setInterval: (fn) => {
        tick = fn
        return 1
      },
      clearInterval: () => {},
      ...options,
    })
    return {
      reporter,
      lines,
      advance: (ms: number) => {
        now += ms
        tick()
      },
    }
  }

  it('prints starts and ends at once, and at most one progress line per throttle window', () => {
    const {reporter, lines, advance} = setup({throttleMs: 1000, heartbeatMs: 10_000})
    const task = reporter.task('replay', {total: 100, unit: 'events'})
    for (let done = 1; done <= 50; done++) task.update({done})
    advance(1000)
    task.update({done: 60})
    task.succeed('60 events')
    expect(lines).toEqual([
      '[  0.0s] replay ...\n',
      '[  1.0s] replay: 50/100 events (50%)\n',
      '[  1.0s] replay ok: 60 events (1.0s)\n',
    ])
  })

  it('prints a heartbeat when a task runs silently', () => {
    const {reporter, lines, advance} = setup({throttleMs: 1000, heartbeatMs: 5000})
    reporter.task('gateway')
    for (let i = 0; i < 6; i++) advance(1000)
    expect(lines.at(-1)).toBe('[  5.0s] still running (1): gateway\n')
    expect(lines.some((line) => line.includes('\u001B['))).toBe(false)
  })

  it('flushes a pending update on close', async () => {
    const {reporter, lines} = setup({throttleMs: 1000})
    const task = reporter.task('bench')
    task.update({status: 'ramp'})
    task.update({status: 'hold'})
    await reporter.close()
    expect(lines.at(-1)).toBe('[  0.0s] bench: hold\n')
  })
})
