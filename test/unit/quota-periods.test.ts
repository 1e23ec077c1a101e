// The quota periods a moment falls in are remembered for the day they were computed for: moments
// on either side of a day or month boundary, in any order, still get their own periods.
import {describe, expect, it} from 'vitest'
import {quotaPeriods} from '../../src/services/quota/quota.js'

describe('quotaPeriods', () => {
  it('gives the UTC day and month, across boundaries and back', () => {
    const cases: Array<[string, string, string]> = [
      ['2026-11-25T12:00:00Z', '2026-11-25', '2026-11'],
      ['2026-11-25T23:59:59.999Z', '2026-11-25', '2026-11'],
      ['2026-11-26T00:00:00Z', '2026-11-26', '2026-11'],
      ['2026-11-25T00:00:00Z', '2026-11-25', '2026-11'],
      ['2026-11-30T23:59:59.999Z', '2026-11-30', '2026-11'],
      ['2026-12-01T00:00:00Z', '2026-12-01', '2026-12'],
      ['2026-11-30T23:59:59.999Z', '2026-11-30', '2026-11'],
      ['1969-12-31T23:59:59Z', '1969-12-31', '1969-12'],
      ['1970-01-01T00:00:00Z', '1970-01-01', '1970-01'],
    ]
    for (const [moment, day, month] of cases) expect(quotaPeriods(new Date(moment)), moment).toEqual({day, month})
  })
})
