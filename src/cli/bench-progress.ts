// The live progress of a bench (ink view in a terminal, throttled lines in CI), shared by `bench`
// and `demo`: one task per variant with offered/achieved rate, in-flight, p99 trend and errors.
import type {BenchProgress} from '../lib/load/bench-run.js'
import {sparkline} from '../lib/measure/summary-text.js'
import type {ProgressReporter} from '../lib/ui/reporter.js'

export function benchProgressView(reporter: ProgressReporter, profileName: string): {onProgress: (progress: BenchProgress) => void; finish: () => void} {
  const tasks = new Map<string, ReturnType<ProgressReporter['task']>>()
  const trends = new Map<string, number[]>()
  return {
    onProgress: (progress) => {
      const label = progress.variants > 1 ? `${profileName} · ${progress.variant}` : profileName
      let task = tasks.get(label)
      if (!task) {
        for (const other of tasks.values()) other.succeed()
        task = reporter.task(label, {total: Math.round(progress.durationMs / 1000), unit: 's'})
        tasks.set(label, task)
      }
      const trend = [...(trends.get(label) ?? []), progress.p99].slice(-20)
      trends.set(label, trend)
      const errors = Object.entries(progress.errors).map(([name, count]) => `${name.replace('http', '')}:${count}`).join(',')
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
    },
    finish: () => {
      for (const task of tasks.values()) task.succeed()
    },
  }
}
