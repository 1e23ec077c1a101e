import {describe, expect, it} from 'vitest'
import {compare, parseThreshold} from '../../src/lib/sla/threshold.js'

describe('parseThreshold', () => {
  it('parses k6-style percentile thresholds with units', () => {
    expect(parseThreshold('p(99)<200ms')).toMatchObject({
      aggregate: {kind: 'percentile', p: 99},
      op: '<',
      value: 200,
      unit: 'ms',
    })
    expect(parseThreshold('p(95) <= 3s')).toMatchObject({aggregate: {kind: 'percentile', p: 95}, op: '<=', value: 3000})
    expect(parseThreshold('p(99.9)<1500us')).toMatchObject({aggregate: {kind: 'percentile', p: 99.9}, value: 1.5})
    expect(parseThreshold('avg<50')).toMatchObject({aggregate: {kind: 'avg'}, value: 50, unit: 'ms'})
  })

  it('parses rates as fractions and bare comparisons as values', () => {
    expect(parseThreshold('rate<0.1%')).toMatchObject({aggregate: {kind: 'rate'}, value: 0.001, unit: 'ratio'})
    expect(parseThreshold('rate<0.01')).toMatchObject({value: 0.01, unit: 'ratio'})
    expect(parseThreshold('==0')).toMatchObject({aggregate: {kind: 'value'}, op: '==', value: 0, unit: 'number'})
    expect(parseThreshold('count<10')).toMatchObject({aggregate: {kind: 'count'}, value: 10, unit: 'number'})
  })

  it('explains what is wrong with a bad expression', () => {
    expect(() => parseThreshold('p99<200ms')).toThrow(/expected <aggregate><op><value>/)
    expect(() => parseThreshold('p(99)<200xs')).toThrow(/unknown unit "xs"/)
    expect(() => parseThreshold('p(99)<5%')).toThrow(/latency needs a duration unit/)
    expect(() => parseThreshold('rate<5ms')).toThrow(/rate takes a plain number or a percentage/)
    expect(() => parseThreshold('p(0)<5ms')).toThrow(/percentile must be in/)
    // A bare comparison is a number: `<50ms` was once taken as a failure count below 50.
    expect(() => parseThreshold('<50ms')).toThrow(
      'threshold "<50ms": a bare comparison is a number (e.g. ==0); a duration needs an aggregate, e.g. p(99)<50ms or avg<50ms',
    )
  })

  it('compares with every operator', () => {
    expect(compare(1, '<', 2)).toBe(true)
    expect(compare(2, '<', 2)).toBe(false)
    expect(compare(2, '<=', 2)).toBe(true)
    expect(compare(3, '>', 2)).toBe(true)
    expect(compare(2, '>=', 3)).toBe(false)
    expect(compare(0, '==', 0)).toBe(true)
    expect(compare(1, '!=', 0)).toBe(true)
  })
})
