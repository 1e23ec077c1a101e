// What the live view draws, as lines that each fit the terminal's width: a line wider than the
// terminal wraps, and the view, redrawn in place by line count, then leaves copies of itself
// behind. Pure, so the layout is tested without a terminal; live-reporter.tsx only paints it.
import {flowToWidth, padToWidth, textWidth, truncateToWidth} from '../text/fit-width.js'
import {formatElapsed, metricParts, statusParts, type BreakdownRow, type TaskSnapshot} from './reporter.js'

export type SpanColor = 'cyan' | 'green' | 'red' | 'gray'

export interface Span {
  text: string
  color?: SpanColor
}

/** One terminal line, in coloured spans. */
export type StyledLine = Span[]

export interface BoardLayout {
  /** The terminal's size: no line is wider than `width`, and the view stays shorter than `height`. */
  width: number
  height: number
  /** Spinner frame, and the clock running tasks' elapsed time is read from. */
  frame: number
  now: number
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const BAR_WIDTH = 20
const MIN_BAR_WIDTH = 5
const INDENT = '  '

/**
 * Every task's lines, the view kept shorter than the terminal (taller, and it can no longer be
 * redrawn in place): when it would not be, breakdown rows are left out with a count of them.
 */
export function boardLines(tasks: readonly TaskSnapshot[], layout: BoardLayout): StyledLine[] {
  const laidOut = tasks.map((task) => taskLines(task, layout))
  let room = layout.height - 1 - laidOut.reduce((sum, lines) => sum + lines.head.length, 0)
  return laidOut.flatMap(({head, breakdown}) => {
    if (breakdown.length <= room) {
      room -= breakdown.length
      return [...head, ...breakdown]
    }
    const shown = Math.max(0, room - 1)
    const more =
      room > 0
        ? [
            [
              {
                text: truncateToWidth(`${INDENT}… ${breakdown.length - shown} more`, layout.width),
                color: 'gray' as const,
              },
            ],
          ]
        : []
    room = 0
    return [...head, ...breakdown.slice(0, shown), ...more]
  })
}

/**
 * One task: its header (icon, label, a progress bar that shrinks to fit, status and elapsed time),
 * its gauges (on the header when they fit, else flowed onto lines under it), and while it runs,
 * one line per breakdown row.
 */
export function taskLines(
  task: TaskSnapshot,
  {width, frame, now}: BoardLayout,
): {head: StyledLine[]; breakdown: StyledLine[]} {
  const icon: Span =
    task.state === 'running'
      ? {text: SPINNER[frame % SPINNER.length]!, color: 'cyan'}
      : task.state === 'done'
        ? {text: '✔', color: 'green'}
        : task.state === 'failed'
          ? {text: '✖', color: 'red'}
          : {text: '-', color: 'gray'}
  const elapsed = `(${formatElapsed((task.endedAt ?? now) - task.startedAt)})`
  const running = task.state === 'running'
  const status = running ? statusParts(task).join(' · ') : (task.message ?? '')
  const metrics = running ? metricParts(task.metrics, ' ') : []
  const hasBar = running && task.done !== undefined && task.total !== undefined
  const header = (detail: string, barWidth: number): StyledLine => {
    const bar = barWidth >= MIN_BAR_WIDTH ? [progressBar(task.done ?? 0, task.total ?? 0, barWidth)] : []
    return fit(
      [icon, {text: ` ${task.label} `}, ...bar, {text: `${detail ? `${detail} ` : ''}${elapsed}`, color: 'gray'}],
      width,
    )
  }
  const fixedWidth = (detail: string) => textWidth(`${icon.text} ${task.label} ${detail ? `${detail} ` : ''}${elapsed}`)
  const inline = [status, ...metrics].filter(Boolean).join(' · ')
  if (metrics.length === 0 || fixedWidth(inline) + (hasBar ? BAR_WIDTH + 1 : 0) <= width) {
    return {
      head: [header(inline, hasBar ? Math.min(BAR_WIDTH, width - fixedWidth(inline) - 1) : 0)],
      breakdown: running ? breakdownLines(task.breakdown ?? [], width) : [],
    }
  }
  const gauges = flowToWidth(metrics, width, {firstIndent: INDENT, indent: INDENT}).map((line): StyledLine => [
    {text: line, color: 'gray'},
  ])
  return {
    head: [header(status, hasBar ? Math.min(BAR_WIDTH, width - fixedWidth(status) - 1) : 0), ...gauges],
    breakdown: breakdownLines(task.breakdown ?? [], width),
  }
}

/** Rows as aligned columns: the label, then each gauge as `name value` with the values right-aligned, the last one as is. */
function breakdownLines(rows: readonly BreakdownRow[], width: number): StyledLine[] {
  if (rows.length === 0) return []
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.metrics)))]
  const valueWidth = new Map(
    names.map((name) => [name, Math.max(...rows.map((row) => textWidth(String(row.metrics[name] ?? ''))))]),
  )
  const labelWidth = Math.max(...rows.map((row) => textWidth(row.label)))
  return rows.map((row) => {
    const cells = names.map((name, index) => {
      const value = String(row.metrics[name] ?? '')
      const cell = `${name} ${index === names.length - 1 ? value : padToWidth(value, valueWidth.get(name)!, 'right')}`
      return value === '' ? ' '.repeat(textWidth(cell)) : cell
    })
    return fit([{text: `${INDENT}${padToWidth(row.label, labelWidth)}  `}, {text: cells.join('  ').trimEnd()}], width)
  })
}

function progressBar(done: number, total: number, width: number): Span {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0
  return {text: `${'█'.repeat(filled)}${'░'.repeat(width - filled)} `, color: 'cyan'}
}

/** Spans cut to `width` cells in all, ending in … where something was cut. */
function fit(spans: StyledLine, width: number): StyledLine {
  const whole = spans.map((span) => span.text).join('')
  if (textWidth(whole) <= width) return spans
  // The cut line is a prefix of the whole one plus …: hand that prefix back to the spans in order.
  let kept = truncateToWidth(whole, width).length - 1
  const fitted: StyledLine = []
  for (const span of spans) {
    if (kept <= 0) break
    fitted.push({...span, text: span.text.slice(0, kept)})
    kept -= span.text.length
  }
  const last = fitted.at(-1)
  if (last) last.text += '…'
  else fitted.push({text: '…'})
  return fitted
}
