// The per-shard rows printed beside the merged ones by `report merge`: what each shard measured of
// each series, then what the merged record holds (its percentiles are those of the union of the
// shards' histograms, not an average of theirs).
import {ERROR_CLASSES} from '../measure/outcome.js'
import {formatDuration} from '../text/duration.js'
import {formatTable} from '../text/table.js'
import type {RunRecord} from './run-record.js'

export interface ShardRow {
  variant: string
  series: string
  /** `shard i/N`, or `merged`. */
  shard: string
  /** Where the shard's record came from (a file, a pod); absent on the merged row. */
  source?: string
  requests: number
  failed: number
  p50: number
  p99: number
  max: number
}

export function shardRows(shards: readonly RunRecord[], sources: readonly string[], merged: RunRecord): ShardRow[] {
  const rows: ShardRow[] = []
  for (const variant of merged.variants) {
    for (const series of Object.keys(variant.totals)) {
      for (const [index, shard] of shards.entries()) {
        const data = shard.variants.find((candidate) => candidate.name === variant.name)?.totals[series]
        if (!data) continue
        const label = shard.shard ? `shard ${shard.shard.index + 1}/${shard.shard.count}` : 'shard 1/1'
        rows.push({variant: variant.name, series, shard: label, source: sources[index]!, ...figures(data)})
      }
      rows.push({variant: variant.name, series, shard: 'merged', ...figures(variant.totals[series]!)})
    }
  }
  return rows
}

function figures(data: RunRecord['variants'][number]['totals'][string]) {
  const failed = ERROR_CLASSES.reduce((sum, errorClass) => sum + data.counts.failed[errorClass], 0)
  return {requests: data.counts.requests, failed, p50: data.latency.p50, p99: data.latency.p99, max: data.latency.max}
}

export function renderShardRows(rows: readonly ShardRow[], width?: number): string {
  const variants = new Set(rows.map((row) => row.variant))
  const header = ['series', 'shard', 'requests', 'failed', 'p50', 'p99', 'max', 'from']
  const table = rows.map((row) => [
    variants.size > 1 ? `${row.variant}/${row.series}` : row.series,
    row.shard,
    row.requests,
    row.failed,
    formatDuration(row.p50),
    formatDuration(row.p99),
    formatDuration(row.max),
    row.source ?? '',
  ])
  return ['per shard', formatTable([header, ...table], '  ', {width, dropOrder: [7, 6]})].join('\n')
}
