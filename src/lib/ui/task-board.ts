// The state behind every reporter: tasks, their progress, and the messages logged between them.
import type {ProgressReporter, Task, TaskOptions, TaskProgress, TaskSnapshot} from './reporter.js'

export type BoardEvent =
  {kind: 'start' | 'update' | 'end'; task: TaskSnapshot} | {kind: 'info' | 'warn'; message: string}

export class TaskBoard {
  readonly tasks: TaskSnapshot[] = []
  private readonly listeners: Array<(event: BoardEvent) => void> = []

  constructor(private readonly now: () => number = Date.now) {}

  onEvent(listener: (event: BoardEvent) => void): void {
    this.listeners.push(listener)
  }

  add(label: string, options: TaskOptions = {}): Task {
    const snapshot: TaskSnapshot = {
      label,
      state: 'running',
      startedAt: this.now(),
      ...(options.total === undefined ? {} : {total: options.total}),
      ...(options.unit === undefined ? {} : {unit: options.unit}),
    }
    this.tasks.push(snapshot)
    this.emit({kind: 'start', task: snapshot})
    const end = (state: TaskSnapshot['state'], message?: string) => {
      if (snapshot.state !== 'running') return
      snapshot.state = state
      snapshot.endedAt = this.now()
      if (message !== undefined) snapshot.message = message
      this.emit({kind: 'end', task: snapshot})
    }
    return {
      update: (progress: TaskProgress) => {
        if (snapshot.state !== 'running') return
        Object.assign(snapshot, progress)
        this.emit({kind: 'update', task: snapshot})
      },
      succeed: (message) => end('done', message),
      fail: (message) => end('failed', message),
      skip: (message) => end('skipped', message),
    }
  }

  log(kind: 'info' | 'warn', message: string): void {
    this.emit({kind, message})
  }

  running(): TaskSnapshot[] {
    return this.tasks.filter((task) => task.state === 'running')
  }

  private emit(event: BoardEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}

/** A reporter that keeps its tasks and messages on a TaskBoard; the line and live reporters draw it. */
export abstract class BoardReporter implements ProgressReporter {
  protected constructor(protected readonly board: TaskBoard) {}

  task(label: string, options?: TaskOptions): Task {
    return this.board.add(label, options)
  }

  info(message: string): void {
    this.board.log('info', message)
  }

  warn(message: string): void {
    this.board.log('warn', message)
  }

  abstract close(): Promise<void>
}
