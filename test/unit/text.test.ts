import {describe, expect, it} from 'vitest'
import {formatDuration, parseDuration} from '../../src/lib/text/duration.js'
import {flowToWidth, textWidth, truncateToWidth, wrapLines} from '../../src/lib/text/fit-width.js'
import {formatTable} from '../../src/lib/text/table.js'
import {closestMatch, editDistance} from '../../src/lib/text/suggest.js'

describe('closestMatch', () => {
  it('suggests the nearest candidate for a typo', () => {
    expect(closestMatch('valdate', ['validate', 'doctor', 'up'])).toBe('validate')
    expect(closestMatch('fxi', ['fix', 'stack', 'json'])).toBe('fix')
    expect(closestMatch('partitons', ['name', 'partitions', 'replication'])).toBe('partitions')
  })

  it('suggests nothing when no candidate is plausible', () => {
    expect(closestMatch('deploy', ['validate', 'doctor'])).toBeUndefined()
    expect(closestMatch('x', [])).toBeUndefined()
  })

  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })
})

describe('parseDuration', () => {
  it('reads the units users write', () => {
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('2d')).toBe(172_800_000)
    expect(parseDuration('500us')).toBe(0.5)
  })

  it('rejects anything else', () => {
    for (const text of ['', '30', 's', '30 sec', '1h 30m', '-5s', '5mx']) expect(parseDuration(text)).toBeUndefined()
  })

  it('formats durations compactly', () => {
    expect(formatDuration(0.25)).toBe('250us')
    expect(formatDuration(12.345)).toBe('12.3ms')
    expect(formatDuration(1500)).toBe('1.5s')
    expect(formatDuration(90_000)).toBe('1m30s')
    expect(formatDuration(3_600_000)).toBe('1h')
  })
})

describe('text that fits a terminal', () => {
  it('counts cells, not characters', () => {
    expect(textWidth('p99 ▁▂█ · ok')).toBe(12)
    expect(textWidth('検索')).toBe(4)
    expect(textWidth('é')).toBe(1)
  })

  it('cuts with … only what does not fit', () => {
    expect(truncateToWidth('generate.accept', 15)).toBe('generate.accept')
    expect(truncateToWidth('generate.accept', 9)).toBe('generate…')
    expect(truncateToWidth('a b c', 4)).toBe('a b…')
  })

  it('flows parts onto lines, breaking between parts first and words second', () => {
    expect(
      flowToWidth(['offered 145/s (originals)', 'sent 177/s (incl. polls, retries)', 'in-flight 3'], 40, {
        indent: '  ',
      }),
    ).toEqual(['offered 145/s (originals)', '  sent 177/s (incl. polls, retries)', '  in-flight 3'])
    expect(flowToWidth(['a needs about 368 samples'], 12)).toEqual(['a needs', 'about 368', 'samples'])
  })

  it('wraps long lines under their own indent and leaves the others alone', () => {
    expect(wrapLines('short\n  attempts 704 · retries 0 · amplification 1.00x', 30)).toBe(
      'short\n  attempts 704 · retries 0\n    amplification 1.00x',
    )
  })
})

describe('formatTable at a width', () => {
  const rows = [
    ['series', 'requests', 'p50', 'p90', 'p99', 'errors'],
    ['generate.accept', '62', '14ms', '20.1ms', '39.5ms', 'timeout=3 5xx=1'],
    ['e2e', '62', '1.1s', '1.9s', '2.3s', '-'],
  ]
  const align = ['left', 'right', 'right', 'right', 'right', 'right'] as const

  it('prints every column in full without one', () => {
    expect(formatTable(rows, '  ', {align}).split('\n')[1]).toBe(
      '  generate.accept        62  14ms  20.1ms  39.5ms  timeout=3 5xx=1',
    )
    expect(formatTable(rows, '  ', {align, dropOrder: [3]})).toBe(formatTable(rows, '  ', {align}))
  })

  it('leaves columns out in the order given, and says which', () => {
    const lines = formatTable(rows, '  ', {align, width: 60, dropOrder: [3, 1]}).split('\n')
    expect(lines).toEqual([
      '  series           requests   p50     p99           errors',
      '  generate.accept        62  14ms  39.5ms  timeout=3 5xx=1',
      '  e2e                    62  1.1s    2.3s                -',
      '  (p90 left out to fit 60 columns)',
    ])
  })

  it('wraps a last text column beside its row, or under it when too little is left', () => {
    const verdict = [
      ['', 'target', 'observed', 'evidence'],
      [
        'INCONCLUSIVE',
        'generate.accept p(99)<100ms',
        '30.2ms',
        'n=62 · 95% CI 21.6ms–∞ · needs ~368 samples (~48s run)',
      ],
      ['PASS', 'errors rate<0.1%', '0%', 'n=704'],
    ]
    for (const width of [50, 60, 80, 100]) {
      const lines = formatTable(verdict, '  ', {width}).split('\n')
      for (const line of lines) expect(textWidth(line), line).toBeLessThanOrEqual(width)
      expect(lines.join(' ')).toMatch(/n=62 · 95% CI 21\.6ms–∞\s+(· )?needs ~368 samples \(~48s\s+run\)/)
    }
    expect(formatTable(verdict, '  ', {width: 80}).split('\n')[2]).toBe(`${' '.repeat(55)}needs ~368 samples (~48s`)
    expect(formatTable(verdict, '  ', {width: 60}).split('\n').slice(2, 4)).toEqual([
      '  INCONCLUSIVE  generate.accept p(99)<100ms  30.2ms',
      '      n=62 · 95% CI 21.6ms–∞ · needs ~368 samples (~48s run)',
    ])
  })
})
