// Bench progress on the reporter: one task per variant, updated each interval with the phase,
// offered and achieved rate, in-flight, p99 and its sparkline, errors by class and retries.
import {sparkline} from '../measure/summary-text.js'
import type {ProgressReporter, Task} from '../ui/reporter.js'
import type {BenchProgress} from './bench-run.js'

export class BenchProgressView {
  private readonly tasks = new Map<string, Task>()
  private readonly trends = new Map<string, number[]>()

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
    const trend = [...(this.trends.get(label) ?? []), progress.p99].slice(-20)
    this.trends.set(label, trend)
    const errors = Object.entries(progress.errors)
      .map(([name, count]) => `${name.replace('http', '')}:${count}`)
      .join(',')
    task.update({
      done: Math.min(Math.round(progress.elapsedMs / 1000), Math.round(progress.durationMs / 1000)),
      status: progress.phase,
      metrics: {
        offered: `${Math.round(progress.offeredRate)}/s`,
        achieved: `${Math.round(progress.achievedRate)}/s`,
        'in-flight': progress.inFlight,
        p99: `${progress.p99.toFixed(1)}ms`,
        trend: sparkline(trend),
        errors: errors || '0',
        retries: progress.retries,
        ...(progress.late > 0 ? {late: progress.late} : {}),
        ...(progress.dropped > 0 ? {dropped: progress.dropped} : {}),
      },
    })
  }

  finish(): void {
    for (const task of this.tasks.values()) task.succeed()
  }
}
