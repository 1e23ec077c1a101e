import {describe, expect, it} from 'vitest'
import {textWidth} from '../../src/lib/text/fit-width.js'
import type {TaskSnapshot} from '../../src/lib/ui/reporter.js'
import {boardLines, type StyledLine} from '../../src/lib/ui/task-lines.js'

const bench: TaskSnapshot = {
  label: 'peak',
  state: 'running',
  startedAt: 0,
  unit: 's',
  total: 20,
  done: 2,
  status: 'evening.baseline',
  metrics: {
    offered: '145/s (originals)',
    sent: '177/s (incl. polls, retries)',
    'in-flight': 12,
    errors: 'timeout:3,5xx:1',
    retries: 4,
  },
  breakdown: [
    {label: 'recommendations', metrics: {p99: '48.2ms', ok: '100%', trend: '▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█▁▂▃▄'}},
    {label: 'generate.accept', metrics: {p99: '14.2ms', ok: '100%', trend: '▂▃'}},
    {label: 'e2e', metrics: {p99: '2.31s', ok: '97.3%', trend: '█▇'}},
  ],
}
const text = (lines: StyledLine[]) => lines.map((line) => line.map((span) => span.text).join(''))
const draw = (tasks: TaskSnapshot[], width: number, height = 40) =>
  text(boardLines(tasks, {width, height, frame: 0, now: 3200}))

describe('the live view layout', () => {
  it('fits every line to the width, with a line per series named in full', () => {
    for (const width of [60, 80, 120, 160, 250]) {
      const lines = draw([bench], width)
      for (const line of lines) expect(textWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width)
      expect(lines[0]).toMatch(/^⠋ peak █+░+ evening\.baseline · 2\/20 s \(10%\)( · .*)? \(3\.2s\)$/)
      expect(lines.filter((line) => /^ {2}recommendations +p99 48\.2ms +ok +100%/.test(line))).toHaveLength(1)
      expect(lines.filter((line) => /^ {2}generate\.accept +p99 14\.2ms +ok +100%/.test(line))).toHaveLength(1)
      expect(lines.filter((line) => /^ {2}e2e +p99 {2}2\.31s +ok 97\.3%/.test(line))).toHaveLength(1)
      expect(lines.join('\n')).toContain('offered 145/s (originals)')
      expect(lines.join('\n')).toContain('sent 177/s (incl. polls, retries)')
    }
  })

  it('shrinks the progress bar to fit, and drops it when there is no room', () => {
    const bar = (width: number) => /[█░]+/.exec(draw([bench], width)[0]!)?.[0].length ?? 0
    expect(bar(160)).toBe(20)
    expect(bar(80)).toBe(20)
    expect(bar(60)).toBeLessThan(20)
    expect(bar(60)).toBeGreaterThanOrEqual(5)
    expect(bar(40)).toBe(0)
  })

  it('keeps gauges on the header line when they fit, and cuts what does not fit with …', () => {
    const replay: TaskSnapshot = {
      label: 'replay',
      state: 'running',
      startedAt: 0,
      unit: 'events',
      total: 100,
      done: 50,
      metrics: {'events/s': 21000},
    }
    expect(draw([replay], 100)).toEqual(['⠋ replay ██████████░░░░░░░░░░ 50/100 events (50%) · events/s 21000 (3.2s)'])
    const [long] = draw([{...replay, label: 'a'.repeat(50), metrics: {}}], 30)
    expect(long).toBe(`⠋ ${'a'.repeat(27)}…`)
  })

  it('stays shorter than the terminal: series rows beyond the height are counted instead', () => {
    const lines = draw([bench], 80, 6)
    expect(lines.length).toBeLessThan(6)
    expect(lines.at(-1)).toMatch(/^ {2}… \d more$/)
  })

  it('shows a finished task on one line, with its outcome', () => {
    expect(draw([{...bench, state: 'done', endedAt: 20_000}], 80)).toEqual(['✔ peak (20.0s)'])
    expect(draw([{...bench, state: 'failed', endedAt: 1000, message: 'target refused connections'}], 80)).toEqual([
      '✖ peak target refused connections (1.0s)',
    ])
  })
})
