// The live terminal view: an ink component redrawn in place, lines per task laid out to the
// terminal's width (task-lines.ts), with messages printed above it. Loaded only in `live` mode, so
// ink and React never load for pipes, CI or --help.
import {Box, render, Static, Text, useStdout} from 'ink'
import {useEffect, useState} from 'react'
import {BoardReporter, TaskBoard} from './task-board.js'
import {boardLines} from './task-lines.js'

interface LogLine {
  id: number
  kind: 'info' | 'warn'
  message: string
}

/** The terminal's size, read again whenever it is resized. */
function useTerminalSize(): {width: number; height: number} {
  const {stdout} = useStdout()
  const read = () => ({width: stdout.columns || 80, height: stdout.rows || 24})
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])
  return size
}

function Board({board, logs}: {board: TaskBoard; logs: LogLine[]}) {
  const [frame, setFrame] = useState(0)
  const {width, height} = useTerminalSize()
  useEffect(() => {
    const timer = setInterval(() => setFrame((value) => value + 1), 100)
    return () => clearInterval(timer)
  }, [])
  const lines = boardLines(board.tasks, {width, height, frame, now: Date.now()})
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
        {lines.map((line, index) => (
          // Each line already fits; truncating is ink's guard for the frame drawn between a resize and the next layout.
          <Text key={index} wrap="truncate-end">
            {line.map((span, position) => (
              <Text key={position} color={span.color}>
                {span.text}
              </Text>
            ))}
          </Text>
        ))}
      </Box>
    </>
  )
}

export class LiveReporter extends BoardReporter {
  private readonly logs: LogLine[] = []
  private readonly instance: ReturnType<typeof render>
  private closed = false

  constructor(stdout: NodeJS.WriteStream = process.stdout) {
    super(new TaskBoard())
    this.instance = render(<Board board={this.board} logs={this.logs} />, {
      stdout,
      patchConsole: false,
      exitOnCtrlC: false,
    })
    this.board.onEvent((event) => {
      if (event.kind === 'info' || event.kind === 'warn') {
        this.logs.push({id: this.logs.length, kind: event.kind, message: event.message})
      }
      if (!this.closed) this.redraw()
    })
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
