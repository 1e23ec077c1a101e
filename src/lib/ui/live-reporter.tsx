// The live terminal view: an ink component redrawn in place, one row per task, with messages
// printed above it. Loaded only in `live` mode, so ink and React never load for pipes, CI or --help.
import {Box, render, Static, Text} from 'ink'
import {useEffect, useState} from 'react'
import {describeProgress, formatElapsed, type ProgressReporter, type Task, type TaskOptions, type TaskSnapshot} from './reporter.js'
import {TaskBoard} from './task-board.js'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const BAR_WIDTH = 20

interface LogLine {
  id: number
  kind: 'info' | 'warn'
  message: string
}

function ProgressBar({done, total}: {done: number; total: number}) {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * BAR_WIDTH) : 0
  return <Text color="cyan">{'█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled)} </Text>
}

function TaskRow({task, frame, now}: {task: TaskSnapshot; frame: number; now: number}) {
  const icon =
    task.state === 'running' ? <Text color="cyan">{SPINNER[frame % SPINNER.length]}</Text>
    : task.state === 'done' ? <Text color="green">✔</Text>
    : task.state === 'failed' ? <Text color="red">✖</Text>
    : <Text color="gray">-</Text>
  const elapsed = formatElapsed((task.endedAt ?? now) - task.startedAt)
  const detail = task.state === 'running' ? describeProgress(task) : (task.message ?? '')
  return (
    <Box>
      {icon}
      <Text> {task.label} </Text>
      {task.state === 'running' && task.done !== undefined && task.total !== undefined ? <ProgressBar done={task.done} total={task.total} /> : null}
      <Text color="gray">{detail ? `${detail} ` : ''}({elapsed})</Text>
    </Box>
  )
}

function Board({board, logs}: {board: TaskBoard; logs: LogLine[]}) {
  const [frame, setFrame] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setFrame((value) => value + 1), 100)
    return () => clearInterval(timer)
  }, [])
  const now = Date.now()
  return (
    <>
      <Static items={logs}>
        {(line) => (
          <Text key={line.id} color={line.kind === 'warn' ? 'yellow' : undefined}>
            {line.kind === 'warn' ? `warning: ${line.message}` : line.message}
          </Text>
        )}
      </Static>
      <Box flexDirection="column">
        {board.tasks.map((task, index) => (
          <TaskRow key={index} task={task} frame={frame} now={now} />
        ))}
      </Box>
    </>
  )
}

export class LiveReporter implements ProgressReporter {
  private readonly board = new TaskBoard()
  private readonly logs: LogLine[] = []
  private readonly instance: ReturnType<typeof render>
  private closed = false

  constructor(stdout: NodeJS.WriteStream = process.stdout) {
    this.instance = render(<Board board={this.board} logs={this.logs} />, {stdout, patchConsole: false, exitOnCtrlC: false})
    this.board.onEvent((event) => {
      if (event.kind === 'info' || event.kind === 'warn') {
        this.logs.push({id: this.logs.length, kind: event.kind, message: event.message})
      }
      if (!this.closed) this.redraw()
    })
  }

  task(label: string, options?: TaskOptions): Task {
    return this.board.add(label, options)
  }

  info(message: string): void {
    this.board.log('info', message)
  }

  warn(message: string): void {
    this.board.log('warn', message)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.redraw()
    this.instance.unmount()
    await this.instance.waitUntilExit()
  }

  private redraw(): void {
    this.instance.rerender(<Board board={this.board} logs={[...this.logs]} />)
  }
}
