// Progress for CI logs and pipes: one plain line per change worth reading, never ANSI codes.
// Starts and ends always print; progress updates print at most once per task per `throttleMs`;
// when nothing has printed for `heartbeatMs`, a heartbeat line says what is still running.
// A task's breakdown (a bench's series) follows its update, one indented line per part, named.
import {describeProgress, formatElapsed, metricParts, type TaskSnapshot} from './reporter.js'
import {BoardReporter, TaskBoard} from './task-board.js'

export interface LineReporterOptions {
  write: (line: string) => void
  throttleMs?: number
  heartbeatMs?: number
  now?: () => number
  /** Timer functions, injectable so the throttle logic can be tested on a fake clock. */
  setInterval?: (fn: () => void, ms: number) => unknown
  clearInterval?: (handle: unknown) => void
}

const MARK = {done: 'ok', failed: 'FAILED', skipped: 'skipped', running: '..'} as const

export class LineReporter extends BoardReporter {
  private readonly write: (line: string) => void
  private readonly throttleMs: number
  private readonly heartbeatMs: number
  private readonly now: () => number
  private readonly started: number
  private readonly lastPrinted = new Map<TaskSnapshot, number>()
  private readonly pending = new Set<TaskSnapshot>()
  private lastLineAt: number
  private timer: unknown
  private readonly stopTimer: (handle: unknown) => void

  constructor(options: LineReporterOptions) {
    const now = options.now ?? Date.now
    super(new TaskBoard(now))
    this.write = options.write
    this.throttleMs = options.throttleMs ?? 2000
    this.heartbeatMs = options.heartbeatMs ?? 15_000
    this.now = now
    this.started = this.now()
    this.lastLineAt = this.started
    this.board.onEvent((event) => {
      switch (event.kind) {
        case 'start':
          this.line(`${event.task.label} ...`)
          this.lastPrinted.set(event.task, this.now())
          break
        case 'update':
          this.maybePrintUpdate(event.task)
          break
        case 'end':
          this.pending.delete(event.task)
          this.printEnd(event.task)
          break
        case 'info':
          this.line(event.message)
          break
        case 'warn':
          this.line(`warning: ${event.message}`)
          break
      }
    })
    const tick = Math.min(this.throttleMs, this.heartbeatMs)
    const setTimer = options.setInterval ?? ((fn, ms) => setInterval(fn, ms).unref())
    this.stopTimer = options.clearInterval ?? ((handle) => clearInterval(handle as NodeJS.Timeout))
    this.timer = setTimer(() => this.tick(), tick)
  }

  async close(): Promise<void> {
    if (this.timer === undefined) return
    this.stopTimer(this.timer)
    this.timer = undefined
    this.flushPending()
  }

  /** Prints deferred updates whose throttle window has passed, and the heartbeat when due. */
  tick(): void {
    this.flushPending()
    const now = this.now()
    const running = this.board.running()
    if (running.length > 0 && now - this.lastLineAt >= this.heartbeatMs) {
      const names = running.map((task) => task.label).join(', ')
      this.line(`still running (${running.length}): ${names}`)
    }
  }

  private flushPending(): void {
    const now = this.now()
    for (const task of this.pending) {
      if (now - (this.lastPrinted.get(task) ?? 0) >= this.throttleMs || this.timer === undefined) {
        this.pending.delete(task)
        this.printUpdate(task)
      }
    }
  }

  private maybePrintUpdate(task: TaskSnapshot): void {
    if (this.now() - (this.lastPrinted.get(task) ?? 0) >= this.throttleMs) {
      this.pending.delete(task)
      this.printUpdate(task)
    } else {
      this.pending.add(task)
    }
  }

  private printUpdate(task: TaskSnapshot): void {
    const progress = describeProgress(task)
    if (progress === '') return
    this.lastPrinted.set(task, this.now())
    this.line(`${task.label}: ${progress}`)
    const labelWidth = Math.max(0, ...(task.breakdown ?? []).map((row) => row.label.length))
    for (const row of task.breakdown ?? [])
      this.line(`  ${`${row.label}:`.padEnd(labelWidth + 1)} ${metricParts(row.metrics).join(' · ')}`)
  }

  private printEnd(task: TaskSnapshot): void {
    const took = formatElapsed((task.endedAt ?? this.now()) - task.startedAt)
    const message = task.message ? `: ${task.message}` : ''
    this.line(`${task.label} ${MARK[task.state]}${message} (${took})`)
  }

  private line(text: string): void {
    const now = this.now()
    this.lastLineAt = now
    this.write(`[${formatElapsed(now - this.started).padStart(6)}] ${text}\n`)
  }
}
