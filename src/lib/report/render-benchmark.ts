// github-action-benchmark's `customSmallerIsBetter` JSON: p50/p95/p99 latency of every series (and
// the error rate), so the action can chart them across commits and alert on regressions.
import {ERROR_CLASSES} from '../measure/outcome.js'
import type {RunRecord} from './run-record.js'

export interface BenchmarkEntry {
  name: string
  unit: string
  value: number
  extra?: string
}

export function renderBenchmarkJson(record: RunRecord): BenchmarkEntry[] {
  const entries: BenchmarkEntry[] = []
  for (const variant of record.variants) {
    const prefix = `${record.profile}${record.variants.length > 1 ? `/${variant.name}` : ''}`
    for (const [name, series] of Object.entries(variant.totals)) {
      const offered = series.counts.requests + series.counts.dropped
      if (offered === 0) continue
      const extra = `${series.counts.requests} requests${series.counts.dropped ? `, ${series.counts.dropped} dropped` : ''}, seed ${record.seed}`
      // A series whose every request was dropped has no latency to chart (0 ms would read as fast).
      if (series.counts.requests > 0)
        for (const [label, value] of [
          ['p50', series.latency.p50],
          ['p95', series.latency.p95],
          ['p99', series.latency.p99],
        ] as const) {
          entries.push({name: `${prefix} ${name} ${label}`, unit: 'ms', value: Number(value.toFixed(3)), extra})
        }
      // Dropped requests failed as surely as answered errors (as in the SLA verdict).
      const failed = ERROR_CLASSES.reduce((sum, key) => sum + series.counts.failed[key], 0) + series.counts.dropped
      entries.push({
        name: `${prefix} ${name} error rate`,
        unit: '%',
        value: Number(((failed / offered) * 100).toFixed(4)),
        extra,
      })
    }
  }
  return entries
}
