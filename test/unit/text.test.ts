import {describe, expect, it} from 'vitest'
import {formatDuration, parseDuration} from '../../src/lib/text/duration.js'
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
