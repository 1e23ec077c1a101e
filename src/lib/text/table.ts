// Plain aligned columns for terminal listings (topics, groups, plans, run summaries): no borders,
// so the output stays greppable and reads the same in CI logs. Given a width (a terminal's), a table
// fits it instead of wrapping: columns named droppable go first, then the last column's text flows
// onto continuation lines under itself. Without one (pipes, CI, files), every column prints in full.
import {flowToWidth, padToWidth, textWidth, truncateToWidth} from './fit-width.js'

export type Align = 'left' | 'right'

/** Narrower than this, a last column that wraps goes under its row instead of beside it. */
const MIN_WRAP_WIDTH = 16

export interface TableOptions {
  /** Alignment per column, header included; default: right for numeric columns, left for text. */
  align?: readonly Align[]
  /** The widest a line may be, in cells; default: no limit. */
  width?: number
  /** Columns (by index) that may be left out to fit `width`, the first to go first. */
  dropOrder?: readonly number[]
}

/** Aligns columns (numbers right, text left, unless `align` says otherwise); the first row is the header. */
export function formatTable(rows: Array<Array<string | number>>, indent = '', options: TableOptions = {}): string {
  if (rows.length === 0) return ''
  const columns = Math.max(...rows.map((row) => row.length))
  const numeric = Array.from({length: columns}, (_, column) =>
    rows.slice(1).every((row) => typeof row[column] === 'number' || row[column] === undefined),
  )
  const align = (column: number): Align => options.align?.[column] ?? (numeric[column] ? 'right' : 'left')
  const cells = rows.map((row) => row.map((cell) => String(cell ?? '')))
  const widths = Array.from({length: columns}, (_, column) =>
    Math.max(...cells.map((row) => textWidth(row[column] ?? ''))),
  )
  const lineWidth = (shown: number[]) =>
    textWidth(indent) + shown.reduce((sum, column) => sum + widths[column]!, 0) + 2 * (shown.length - 1)
  const {width} = options
  let shown = Array.from({length: columns}, (_, column) => column)
  const dropped: number[] = []
  for (const column of options.dropOrder ?? []) {
    if (width === undefined || lineWidth(shown) <= width) break
    shown = shown.filter((other) => other !== column)
    dropped.push(column)
  }
  // Still too wide: the last column, when it is text, wraps beside its row in what is left or, with
  // too little left, goes on lines of its own under its row.
  const last = shown.at(-1)!
  const before = lineWidth(shown) - widths[last]!
  const wrapLast = width !== undefined && lineWidth(shown) > width && shown.length > 1 && align(last) === 'left'
  const beside = wrapLast && width - before >= MIN_WRAP_WIDTH
  const continuation = ' '.repeat(beside ? before : textWidth(indent) + 4)
  const joinRow = (texts: string[]) => `${indent}${texts.join('  ')}`.trimEnd()
  const lines = cells.flatMap((row) => {
    const texts = shown.map((column, index) => {
      const text = row[column] ?? ''
      return index === shown.length - 1 && align(column) === 'left'
        ? text
        : padToWidth(text, widths[column]!, align(column))
    })
    const tail = texts.at(-1)!
    if (!wrapLast || tail === '' || (beside && before + textWidth(tail) <= width)) return [joinRow(texts)]
    const flowed = flowToWidth(tail.split(' · '), width - continuation.length).map((text) => `${continuation}${text}`)
    return beside
      ? [joinRow([...texts.slice(0, -1), flowed[0]!.trimStart()]), ...flowed.slice(1)]
      : [joinRow(texts.slice(0, -1)), ...flowed]
  })
  if (dropped.length > 0)
    lines.push(
      `${indent}(${dropped
        .sort((a, b) => a - b)
        .map((column) => cells[0]![column])
        .join(', ')} left out to fit ${width} columns)`,
    )
  return lines.map((line) => (width === undefined ? line : truncateToWidth(line, width))).join('\n')
}
