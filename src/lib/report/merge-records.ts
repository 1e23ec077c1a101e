// `report merge`: the records of the shards of one distributed run (`bench --shard i/N`) combined
// into one, variant by variant: series, phases and intervals (by index: every shard uses the same
// interval length from its own start) merge losslessly; then one SLA verdict is evaluated.
import {StreamctlError} from '../errors.js'
import {amplification, type IntervalData, type VariantData} from '../measure/run-data.js'
import {evaluateTargets, targetsOf} from '../sla/evaluate.js'
import {mergeSeriesMaps} from '../measure/merge-series.js'
import type {RunRecord} from './run-record.js'

export function mergeRecords(records: readonly RunRecord[], names: readonly string[]): RunRecord {
  const [first, ...rest] = records
  if (!first) throw new StreamctlError('MISSING_ARGUMENT', 'report merge needs at least one run record')
  checkShardsOfOneRun(records, names)
  const variants = first.variants.map((variant) => {
    let merged = variant
    for (const record of rest) {
      const other = record.variants.find((candidate) => candidate.name === variant.name)
      if (other) merged = mergeVariants(merged, other)
    }
    return merged
  })
  const quota = records
    .map((record) => record.quota)
    .filter((value) => value !== undefined)
    .sort((a, b) => a.since.localeCompare(b.since))[0]
  const startedAt = records.map((record) => record.startedAt).sort()[0]!
  const finishedAt = records
    .map((record) => record.finishedAt)
    .sort()
    .at(-1)!
  const {shard: _shard, ...base} = first
  const judged = evaluateTargets(targetsOf(first.sla), variants, quota, first.sla.source, first.sla.notApplicable)
  // A shard that abortOnFail stopped stopped the whole verdict: its truncated data must not pass.
  const abortedBy = records.map((record) => record.sla.abortedBy).find((reason) => reason !== undefined)
  const sla = abortedBy ? {...judged, abortedBy, passed: false} : judged
  return {
    ...base,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    variants,
    ...(quota ? {quota} : {}),
    sla,
    meta: {...first.meta, mergedFrom: [...names]},
  }
}

/**
 * Only the shards of one run merge into its verdict: one profile, one seed (so the shards partition
 * one schedule), one shard count, and every shard exactly once. Names the record that differs.
 */
export function checkShardsOfOneRun(records: readonly RunRecord[], names: readonly string[]): void {
  const [first] = records
  if (!first) return
  const shardOf = (record: RunRecord) => record.shard ?? {index: 0, count: 1}
  const describe = (record: RunRecord) => `${shardOf(record).index + 1}/${shardOf(record).count}`
  for (const [index, record] of records.entries()) {
    const differs = (what: string, theirs: unknown, ours: unknown) =>
      new StreamctlError(
        'RUN_RECORD_INVALID',
        `${names[index]} is a run of ${what} ${theirs}, ${names[0]} of ${ours}: only the shards of one run merge`,
        {hint: 'Merge the records of one `bench --shard i/N` run: the same profile, seed and N.'},
      )
    if (record.profile !== first.profile) throw differs('profile', `"${record.profile}"`, `"${first.profile}"`)
    if (record.seed !== first.seed) throw differs('seed', record.seed, first.seed)
    if (shardOf(record).count !== shardOf(first).count)
      throw differs('shard count', `${shardOf(record).count} (shard ${describe(record)})`, shardOf(first).count)
  }
  const count = shardOf(first).count
  const byIndex = new Map<number, string>()
  for (const [index, record] of records.entries()) {
    const seen = byIndex.get(shardOf(record).index)
    if (seen !== undefined)
      throw new StreamctlError(
        'SHARDS_INCOMPLETE',
        `${names[index]} and ${seen} are both shard ${describe(record)}: each shard merges once`,
      )
    byIndex.set(shardOf(record).index, names[index]!)
  }
  const missing = Array.from({length: count}, (_, index) => index).filter((index) => !byIndex.has(index))
  if (missing.length > 0)
    throw new StreamctlError(
      'SHARDS_INCOMPLETE',
      `shard ${missing.map((index) => `${index + 1}/${count}`).join(', ')} missing: ${records.length} of ${count} records given`,
      {
        hint: "A merged verdict needs every shard of the run; without one its counts and percentiles are not the run's.",
      },
    )
}

function mergeVariants(a: VariantData, b: VariantData): VariantData {
  const totals = mergeSeriesMaps(a.totals, b.totals)
  const phases = {...a.phases}
  for (const [phase, series] of Object.entries(b.phases)) phases[phase] = mergeSeriesMaps(phases[phase] ?? {}, series)
  const length = Math.max(a.intervals.length, b.intervals.length)
  const intervals: IntervalData[] = []
  for (let index = 0; index < length; index++) {
    const x = a.intervals[index]
    const y = b.intervals[index]
    if (!x || !y) intervals.push((x ?? y)!)
    else
      intervals.push({
        startMs: Math.min(x.startMs, y.startMs),
        durationMs: Math.max(x.durationMs, y.durationMs),
        offered: x.offered + y.offered,
        sent: x.sent + y.sent,
        inFlight: x.inFlight + y.inFlight,
        series: mergeSeriesMaps(x.series, y.series),
      })
  }
  const seen = new Set(a.timeline.map((event) => `${event.atMs}:${event.action}`))
  return {
    ...a,
    durationMs: Math.max(a.durationMs, b.durationMs),
    totals,
    phases,
    intervals,
    timeline: [...a.timeline, ...b.timeline.filter((event) => !seen.has(`${event.atMs}:${event.action}`))].sort(
      (x, y) => x.atMs - y.atMs,
    ),
    amplification: amplification(totals),
    goodput: a.goodput + b.goodput,
    sendLag: {...a.sendLag, p99: Math.max(a.sendLag.p99, b.sendLag.p99), max: Math.max(a.sendLag.max, b.sendLag.max)},
    ...(a.pool && b.pool
      ? {
          pool: {
            cap: a.pool.cap + b.pool.cap,
            peak: a.pool.peak + b.pool.peak,
            waited: a.pool.waited + b.pool.waited,
            cappedLate: a.pool.cappedLate + b.pool.cappedLate,
          },
        }
      : {}),
    abandoned: a.abandoned + b.abandoned,
    stoppedEarly: a.stoppedEarly || b.stoppedEarly,
    gauges: a.gauges.length > 0 ? a.gauges : b.gauges,
  }
}
