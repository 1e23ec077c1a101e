// The progress interface long-running commands (up, bench, replay, provision) report through.
// Commands and lib code see only this; how it is drawn depends on the output mode.

export type TaskState = 'running' | 'done' | 'failed' | 'skipped'

export interface TaskProgress {
  /** Units completed so far (events replayed, requests sent, components healthy). */
  done?: number
  total?: number
  /** A short word or phrase: "starting", "waiting for /readyz", "ramp to 3x". */
  status?: string
  /** Named gauges shown next to the task: {"events/s": 21034, "p99": "12ms"}. */
  metrics?: Record<string, number | string>
}

export interface Task {
  update(progress: TaskProgress): void
  succeed(message?: string): void
  fail(message?: string): void
  skip(message?: string): void
}

export interface TaskOptions {
  total?: number
  /** The unit of `done`/`total`, for display: "events", "components". */
  unit?: string
}

export interface ProgressReporter {
  /** Starts a named unit of work and returns its handle. */
  task(label: string, options?: TaskOptions): Task
  info(message: string): void
  warn(message: string): void
  /** Stops drawing and releases the terminal. Safe to call twice. */
  close(): Promise<void>
}

/** A snapshot of one task, shared by the renderers. */
export interface TaskSnapshot extends TaskProgress {
  label: string
  unit?: string
  state: TaskState
  message?: string
  startedAt: number
  endedAt?: number
}

/** Formats `done/total unit (pct)` and metrics the same way for every renderer. */
export function describeProgress(task: TaskSnapshot): string {
  const parts: string[] = []
  if (task.status) parts.push(task.status)
  if (task.done !== undefined) {
    const unit = task.unit ? ` ${task.unit}` : ''
    if (task.total !== undefined && task.total > 0) {
      const pct = Math.min(100, Math.floor((task.done / task.total) * 100))
      parts.push(`${task.done}/${task.total}${unit} (${pct}%)`)
    } else {
      parts.push(`${task.done}${unit}`)
    }
  }
  if (task.metrics) {
    for (const [name, value] of Object.entries(task.metrics)) parts.push(`${name}=${value}`)
  }
  return parts.join(' · ')
}

export function formatElapsed(ms: number): string {
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  const minutes = Math.floor(seconds / 60)
  const rest = Math.floor(seconds % 60)
  if (minutes < 60) return `${minutes}m${String(rest).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** A reporter that shows nothing, for work whose progress nobody watches (status probes). */
export function silentReporter(): ProgressReporter {
  const task: Task = {update() {}, succeed() {}, fail() {}, skip() {}}
  return {task: () => task, info() {}, warn() {}, close: async () => {}}
}
