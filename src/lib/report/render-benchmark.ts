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
      if (series.counts.requests === 0) continue
      const extra = `${series.counts.requests} requests, seed ${record.seed}`
      for (const [label, value] of [['p50', series.latency.p50], ['p95', series.latency.p95], ['p99', series.latency.p99]] as const) {
        entries.push({name: `${prefix} ${name} ${label}`, unit: 'ms', value: Number(value.toFixed(3)), extra})
      }
      const failed = ERROR_CLASSES.reduce((sum, key) => sum + series.counts.failed[key], 0)
      entries.push({name: `${prefix} ${name} error rate`, unit: '%', value: Number(((failed / series.counts.requests) * 100).toFixed(4)), extra})
    }
  }
  return entries
}
