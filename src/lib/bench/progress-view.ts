// Bench progress on the reporter: one task per variant, updated each interval with the phase, the
// offered and sent rates (each saying what it counts), in-flight, errors by class and retries, and
// one row per series with its own p99, its sparkline and its share of successes: series differ by
// orders of magnitude (generate.accept in ms, e2e in s), so no figure stands for all of them.
import {sparkline} from '../measure/summary-text.js'
import {formatDuration} from '../text/duration.js'
import type {BreakdownRow, ProgressReporter, Task} from '../ui/reporter.js'

export interface BenchProgress {
  variant: string
  variantIndex: number
  variants: number
  phase: string
  elapsedMs: number
  durationMs: number
  /** Originals per second the schedule asked for over the last interval (neither retries nor polls). */
  offeredRate: number
  /** Attempts per second sent over the last interval: originals, retries and status polls. */
  sentRate: number
  /** The run polls for results (generate requests): `sentRate` counts those polls too. */
  polls: boolean
  inFlight: number
  /** Each series with outcomes in the last interval. */
  series: SeriesProgress[]
  /** Failed attempts by error class, over every series. */
  errors: Record<string, number>
  retries: number
  late: number
  dropped: number
}

export interface SeriesProgress {
  name: string
  /** Originals whose outcome became known in the interval, and how many of them succeeded. */
  requests: number
  succeeded: number
  /** p99 latency of those originals, ms. */
  p99: number
}

const TREND_LENGTH = 20

export class BenchProgressView {
  private readonly tasks = new Map<string, Task>()
  /** By task label, then series: the p99 of the last intervals, in the order the series first answered. */
  private readonly trends = new Map<string, Map<string, number[]>>()

  constructor(
    private readonly reporter: ProgressReporter,
    private readonly profileName: string,
  ) {}

  readonly update = (progress: BenchProgress): void => {
    const label = progress.variants > 1 ? `${this.profileName} · ${progress.variant}` : this.profileName
    let task = this.tasks.get(label)
    if (!task) {
      for (const other of this.tasks.values()) other.succeed()
      task = this.reporter.task(label, {total: Math.round(progress.durationMs / 1000), unit: 's'})
      this.tasks.set(label, task)
    }
    const errors = Object.entries(progress.errors)
      .map(([name, count]) => `${name.replace('http', '')}:${count}`)
      .join(',')
    task.update({
      done: Math.min(Math.round(progress.elapsedMs / 1000), Math.round(progress.durationMs / 1000)),
      status: progress.phase,
      metrics: {
        offered: `${Math.round(progress.offeredRate)}/s (originals)`,
        sent: `${Math.round(progress.sentRate)}/s (incl. ${progress.polls ? 'polls, retries' : 'retries'})`,
        'in-flight': progress.inFlight,
        errors: errors || '0',
        retries: progress.retries,
        ...(progress.late > 0 ? {late: progress.late} : {}),
        ...(progress.dropped > 0 ? {dropped: progress.dropped} : {}),
      },
      breakdown: this.seriesRows(label, progress.series),
    })
  }

  finish(): void {
    for (const task of this.tasks.values()) task.succeed()
  }

  /** A row per series seen so far in this task; one silent in this interval shows - and a low bar. */
  private seriesRows(label: string, series: readonly SeriesProgress[]): BreakdownRow[] {
    let trends = this.trends.get(label)
    if (!trends) {
      trends = new Map()
      this.trends.set(label, trends)
    }
    for (const figures of series) if (!trends.has(figures.name)) trends.set(figures.name, [])
    return [...trends].map(([name, trend]): BreakdownRow => {
      const figures = series.find((candidate) => candidate.name === name)
      trend.push(figures?.p99 ?? 0)
      if (trend.length > TREND_LENGTH) trend.shift()
      return {
        label: name,
        metrics: {
          p99: figures ? formatDuration(figures.p99) : '-',
          ok: figures ? successShare(figures) : '-',
          trend: sparkline(trend),
        },
      }
    })
  }
}

/** 100% only when every request succeeded: 99.96% shows as 99.9%. */
function successShare({requests, succeeded}: SeriesProgress): string {
  return succeeded === requests ? '100%' : `${(Math.floor((succeeded / requests) * 1000) / 10).toFixed(1)}%`
}
