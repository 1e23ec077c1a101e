// `report --compare` compares like for like: describeRunDifferences names every condition in which
// two run records differ, and compareRuns carries them (likeForLike, differences, forced) into --json.
import {describe, expect, it} from 'vitest'
import type {RunRecord} from '../../src/lib/report/run-record.js'
import {compareRuns, describeRunDifferences} from '../../src/lib/report/compare.js'
import {renderComparison} from '../../src/lib/report/render-comparison.js'
import {latencies, recordRun} from '../helpers/run-records.js'

const api = latencies(600, 30, 11)
const run = (options: Parameters<typeof recordRun>[1] = {}) =>
  recordRun({api}, {intervals: 30, offeredPerSecond: 80, ...options})
const withMeta = (record: RunRecord, meta: Partial<RunRecord['meta']>): RunRecord => ({
  ...record,
  meta: {...record.meta, ...meta},
})

describe('describeRunDifferences', () => {
  it('finds nothing between two runs under the same conditions', () => {
    expect(describeRunDifferences(run(), run())).toEqual([])
  })

  it('names a halved duration and offered rate, with the values in words and as data', () => {
    const differences = describeRunDifferences(run(), run({intervals: 15, offeredPerSecond: 40}))
    expect(differences.map((difference) => difference.text)).toEqual([
      'duration 30s → 15s',
      'offered rate 80.0/s → 40.0/s',
    ])
    expect(differences.map(({field, base, next}) => ({field, base, next}))).toEqual([
      {field: 'durationMs', base: 30_000, next: 15_000},
      {field: 'offeredRate', base: 80, next: 40},
    ])
  })

  it('tolerates durations and rates within 10% of each other, in either order', () => {
    const base = run()
    for (const close of [{...run(), durationMs: 32_900}, run({offeredPerSecond: 87})]) {
      expect(describeRunDifferences(base, close)).toEqual([])
      expect(describeRunDifferences(close, base)).toEqual([])
    }
    const faster = run({offeredPerSecond: 89})
    expect(describeRunDifferences(base, faster).map((difference) => difference.text)).toEqual([
      'offered rate 80.0/s → 89.0/s',
    ])
    expect(describeRunDifferences(faster, base).map((difference) => difference.text)).toEqual([
      'offered rate 89.0/s → 80.0/s',
    ])
    const longer = {...run(), durationMs: 33_100}
    expect(describeRunDifferences(longer, base).map((difference) => difference.text)).toEqual([
      'duration 33.1s → 30s',
      'offered rate 72.5/s → 80.0/s',
    ])
  })

  it('names a different profile, model, seed, variants and shard', () => {
    const base = run()
    const next: RunRecord = {...run({profile: 'soak', shard: {index: 1, count: 2}}), model: 'closed', seed: 8}
    next.variants = [
      {...next.variants[0]!, name: 'cache-on'},
      {...next.variants[0]!, name: 'baseline', intervals: []},
    ]
    expect(describeRunDifferences(base, next).map((difference) => difference.text)).toEqual([
      'profile synthetic → soak',
      'model open → closed',
      'seed 7 → 8',
      'variants default → baseline, cache-on',
      'shard none → 2/2',
    ])
    expect(describeRunDifferences(base, next).find((difference) => difference.field === 'variants')).toMatchObject({
      base: ['default'],
      next: ['baseline', 'cache-on'],
    })
  })

  it('compares the target only when neither run went against a stack', () => {
    const bare = run()
    const elsewhere = {...run(), target: 'http://10.0.0.9:8080'}
    expect(describeRunDifferences(bare, elsewhere).map((difference) => difference.text)).toEqual([
      'target http://127.0.0.1:1 → http://10.0.0.9:8080',
    ])
    const onStack = (record: RunRecord, driver: string) => withMeta(record, {stack: 'reference', driver})
    expect(describeRunDifferences(onStack(bare, 'compose'), onStack(elsewhere, 'compose'))).toEqual([])
    expect(
      describeRunDifferences(onStack(bare, 'compose'), onStack(elsewhere, 'local')).map(
        (difference) => difference.text,
      ),
    ).toEqual(['driver compose → local'])
    expect(describeRunDifferences(bare, onStack(elsewhere, 'local'))).toEqual([
      {field: 'stack', base: null, next: 'reference', text: 'stack none → reference'},
      {field: 'driver', base: null, next: 'local', text: 'driver none → local'},
    ])
  })
})

describe('compareRuns', () => {
  it('is like for like, and not forced, when the conditions match', () => {
    const comparison = compareRuns(run(), run(), {base: 'a.json', next: 'b.json'}, {force: true})
    expect(comparison).toMatchObject({likeForLike: true, differences: [], forced: false})
    expect(renderComparison(comparison)).not.toMatch(/like for like/i)
  })

  it('carries the differences, and says so first and last when forced', () => {
    const faster = recordRun({api: api.map((value) => value / 2)}, {intervals: 15, offeredPerSecond: 40})
    const comparison = compareRuns(run(), faster, {base: 'a.json', next: 'b.json'}, {force: true})
    expect(comparison).toMatchObject({verdict: 'improvement', likeForLike: false, forced: true})
    expect(comparison.differences.map((difference) => difference.field)).toEqual(['durationMs', 'offeredRate'])
    const lines = renderComparison(comparison).split('\n')
    expect(lines[0]).toBe('NOT LIKE FOR LIKE (compared with --force): duration 30s → 15s; offered rate 80.0/s → 40.0/s')
    expect(lines.at(-1)).toBe(
      'improvement: significantly faster, no regression (not like for like: the runs offered different load)',
    )
  })

  it('calls runs against different systems by what differs', () => {
    const comparison = compareRuns(
      run(),
      {...run(), target: 'http://10.0.0.9:8080'},
      {base: 'a.json', next: 'b.json'},
      {force: true},
    )
    expect(renderComparison(comparison).split('\n').at(-1)).toBe(
      'no significant change (not like for like: the runs went against different systems)',
    )
  })
})
