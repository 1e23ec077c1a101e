// The progress interface long-running commands (up, bench, replay, provision) report through.
// Commands and lib code see only this; how it is drawn depends on the output mode.

export type TaskState = 'running' | 'done' | 'failed' | 'skipped'

export interface TaskProgress {
  /** Units completed so far (events replayed, requests sent, components healthy). */
  done?: number
  total?: number
  /** A short word or phrase: "starting", "waiting for /readyz", "ramp to 3x". */
  status?: string
  /** Named gauges shown next to the task: {"events/s": 21034, "in-flight": 12}. */
  metrics?: Record<string, number | string>
  /** The same gauges for each part of the task (a bench's series), one line each under it. */
  breakdown?: BreakdownRow[]
}

export interface BreakdownRow {
  /** What the gauges belong to: "generate.accept". */
  label: string
  metrics: Record<string, number | string>
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
  return [...statusParts(task), ...metricParts(task.metrics)].join(' · ')
}

/** The task's status word and `done/total unit (pct)`. */
export function statusParts(task: TaskSnapshot): string[] {
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
  return parts
}

/** Each gauge as `name=value` (greppable log lines) or, with `between` a space, `name value`. */
export function metricParts(metrics: Record<string, number | string> | undefined, between = '='): string[] {
  return Object.entries(metrics ?? {}).map(([name, value]) => `${name}${between}${value}`)
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
