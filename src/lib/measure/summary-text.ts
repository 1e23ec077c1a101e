// The plain terminal summary of a bench run: per variant, one row per series with its percentiles
// and errors by class, then the client-side figures (retries, amplification, goodput, late and
// dropped requests), a line for each queue or consumer lag that grew during the run (backlog.ts),
// and variants side by side when there are several. Given a terminal's width, the tables fit it.
import {describeBacklog, grownBacklogs} from './backlog.js'
import {formatDuration} from '../text/duration.js'
import {textWidth} from '../text/fit-width.js'
import {formatTable, type Align} from '../text/table.js'
import {ERROR_CLASSES} from './outcome.js'
import {originalRequests, type LoadRunData, type SeriesData, type VariantData} from './run-data.js'

const ms = (value: number) => formatDuration(value)

export interface SummaryLayout {
  /** A terminal's width for the tables to fit (columns are left out); none: every column in full. */
  width?: number
}

export function formatRunSummary(run: LoadRunData, layout: SummaryLayout = {}): string {
  const lines: string[] = []
  lines.push(
    `profile ${run.profile} · ${run.model} model · seed ${run.seed}${run.shard ? ` · shard ${run.shard.index + 1}/${run.shard.count}` : ''} · target ${run.target}`,
  )
  for (const variant of run.variants) lines.push('', ...formatVariant(variant, layout))
  if (run.variants.length > 1) lines.push('', ...compareVariants(run.variants, layout))
  return lines.join('\n')
}

// Left out first when a terminal is narrow: p99.9, p90, max, rate/s, requests (p50, p99, ok and errors stay).
const SERIES_DROP_ORDER = [6, 4, 7, 2, 1]

function formatVariant(variant: VariantData, {width}: SummaryLayout): string[] {
  const seconds = Math.max(variant.durationMs, 1) / 1000
  const header = ['series', 'requests', 'rate/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'ok', 'errors']
  const rows = Object.entries(variant.totals).map(([name, series]) => [
    name,
    String(series.counts.requests),
    (series.counts.requests / seconds).toFixed(1),
    ms(series.latency.p50),
    ms(series.latency.p90),
    ms(series.latency.p99),
    ms(series.latency.p999),
    ms(series.latency.max),
    `${percent(series.counts.succeeded, series.counts.requests)}${series.counts.degraded ? ` (${percent(series.counts.degraded, series.counts.requests)} degraded)` : ''}`,
    describeErrors(series),
  ])
  const counts = Object.entries(variant.totals)
    .filter(([name]) => name !== 'e2e')
    .map(([, series]) => series.counts)
  const sum = (pick: (c: (typeof counts)[number]) => number) => counts.reduce((total, c) => total + pick(c), 0)
  const lines = [
    `variant ${variant.name}${variant.description ? ` — ${variant.description}` : ''} (${ms(variant.durationMs)})`,
    ...table([header, ...rows], width, SERIES_DROP_ORDER),
  ]
  lines.push(
    `attempts ${sum((c) => c.attempts)} · retries ${sum((c) => c.retries)} · amplification ${variant.amplification.toFixed(2)}x · goodput ${variant.goodput.toFixed(1)}/s · late ${sum((c) => c.late)} · dropped ${sum((c) => c.dropped)} · budget refused ${sum((c) => c.budgetExhausted)}${variant.abandoned ? ` · abandoned ${variant.abandoned}` : ''}`,
    `${sendLagText(variant)} (the generator's own lateness; latency above is measured from the intended start)`,
  )
  for (const event of variant.timeline)
    lines.push(`  at ${ms(event.firedAtMs)}: ${event.action}${event.ok ? '' : ` FAILED (${event.error})`}`)
  for (const backlog of grownBacklogs(variant.gauges ?? [])) lines.push(describeBacklog(backlog))
  return lines
}

function compareVariants(variants: VariantData[], {width}: SummaryLayout): string[] {
  const names = [...new Set(variants.flatMap((variant) => Object.keys(variant.totals)))]
  // Degraded answers (fallbacks) are successes, shown apart from errors; the column appears when a variant had any.
  const degraded = (variant: VariantData) =>
    Object.values(variant.totals).reduce((total, series) => total + (series.counts.degraded ?? 0), 0)
  const showDegraded = variants.some((variant) => degraded(variant) > 0)
  const header = [
    'variant',
    'goodput/s',
    'amplification',
    ...names.map((name) => `${name} p99`),
    ...(showDegraded ? ['degraded'] : []),
    'errors',
  ]
  const rows = variants.map((variant) => {
    // The SLA's errors: the requests asked for that failed (an accepted generate that failed in the end included).
    const failed = originalRequests(variant.totals).failed
    return [
      variant.name,
      variant.goodput.toFixed(1),
      `${variant.amplification.toFixed(2)}x`,
      ...names.map((name) => (variant.totals[name] ? ms(variant.totals[name].latency.p99) : '-')),
      ...(showDegraded ? [String(degraded(variant))] : []),
      String(failed),
    ]
  })
  const wide = table([header, ...rows])
  if (width === undefined || wide.every((line) => textWidth(line) <= width)) return ['side by side', ...wide]
  // Too wide for the terminal: one row per figure and one column per variant instead.
  return [
    'side by side',
    ...table(
      header.map((name, column) => [name, ...rows.map((row) => row[column]!)]),
      width,
    ),
  ]
}

function describeErrors(series: SeriesData): string {
  const parts = ERROR_CLASSES.filter((name) => series.counts.failed[name] > 0).map(
    (name) => `${name.replace('http', '')}=${series.counts.failed[name]}`,
  )
  if (series.counts.dropped > 0) parts.push(`dropped=${series.counts.dropped}`)
  return parts.join(' ') || '-'
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part / whole) * 100).toFixed(part === whole ? 0 : 2)}%`
}

/** Names on the left, figures on the right; the first row is the header. */
function table(rows: string[][], width?: number, dropOrder?: number[]): string[] {
  const align = rows[0]!.map((_, column): Align => (column === 0 ? 'left' : 'right'))
  return formatTable(rows, '  ', {align, width, dropOrder}).split('\n')
}

/** ▁▂▃▄▅▆▇█ of the last values, for a live view. */
export function sparkline(values: readonly number[]): string {
  const bars = '▁▂▃▄▅▆▇█'
  const max = Math.max(...values, 0)
  return values.map((value) => bars[max === 0 ? 0 : Math.min(7, Math.floor((value / max) * 7.999))]).join('')
}

/** How late the generator sent, after each request's intended start: whether it kept up. */
export function sendLagText(variant: Pick<VariantData, 'sendLag' | 'pool'>): string {
  const lag = `send lag p50 ${ms(variant.sendLag.p50)} · p99 ${ms(variant.sendLag.p99)} · max ${ms(variant.sendLag.max)}`
  return variant.pool ? `${lag} · ${poolText(variant.pool)}` : lag
}

/** The pool's story: how far it grew, and whether a full pool (or its cap) held sends back. */
export function poolText(pool: NonNullable<VariantData['pool']>): string {
  const size = `connections ${pool.peak} (cap ${pool.cap})`
  if (pool.waited === 0) return size
  const capped =
    pool.cappedLate > 0 ? `, ${pool.cappedLate} late because of the cap (raise it with --max-in-flight)` : ''
  return `${size} · ${pool.waited} sends waited for a connection${capped}`
}
