// Text that must fit a terminal's width: a line wider than the terminal wraps, and a view redrawn
// in place then leaves copies of itself behind. Widths are in terminal cells, not UTF-16 units.

const WIDE =
  /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u
// eslint-disable-next-line no-misleading-character-class -- variation selectors are listed to be counted as zero width
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200B-\u200F\uFE00-\uFE0F]/u

/** Cells `text` takes in a terminal: 2 for East Asian wide characters, 0 for combining marks. */
export function textWidth(text: string): number {
  let width = 0
  for (const char of text) width += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1
  return width
}

/** `text` cut to at most `width` cells, ending in … when something was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text
  if (width <= 0) return ''
  let kept = ''
  let used = 0
  for (const char of text) {
    const cells = textWidth(char)
    if (used + cells > width - 1) break
    kept += char
    used += cells
  }
  return `${kept.trimEnd()}…`
}

/** Pads with spaces to `width` cells, on the right (left-aligned) or on the left (right-aligned). */
export function padToWidth(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const padding = ' '.repeat(Math.max(0, width - textWidth(text)))
  return align === 'left' ? text + padding : padding + text
}

/**
 * Lines of at most `width` cells from `parts` joined by `separator`: a line breaks between parts,
 * and a part too long for a line of its own breaks between words (a word too long is cut with …).
 * Lines after the first start with `indent`.
 */
export function flowToWidth(
  parts: readonly string[],
  width: number,
  {separator = ' · ', indent = '', firstIndent = ''} = {},
): string[] {
  const lines: string[] = []
  let line = firstIndent
  let empty = true
  const room = (prefix: string) => width - textWidth(prefix)
  const breakLine = () => {
    lines.push(line.trimEnd())
    line = indent
    empty = true
  }
  for (const part of parts) {
    const joined = empty ? part : `${separator}${part}`
    if (textWidth(line) + textWidth(joined) <= width) {
      line += joined
      empty = false
      continue
    }
    if (!empty) breakLine()
    if (textWidth(line) + textWidth(part) <= width) {
      line += part
      empty = false
      continue
    }
    for (const word of part.split(' ')) {
      const next = empty ? word : ` ${word}`
      if (!empty && textWidth(line) + textWidth(next) > width) breakLine()
      line += empty ? truncateToWidth(word, room(line)) : next
      empty = false
    }
  }
  if (!empty || lines.length === 0) lines.push(line.trimEnd())
  return lines
}

/**
 * Every line of `text` within `width` cells: a longer line flows onto continuation lines indented
 * two spaces past its own indent, breaking at a ` · ` where it can and between words otherwise.
 */
export function wrapLines(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (textWidth(line) <= width) return [line]
      const indent = /^ */.exec(line)![0]
      const continuation = width - indent.length >= 20 ? `${indent}  ` : ''
      return flowToWidth(line.slice(indent.length).split(' · '), width, {firstIndent: indent, indent: continuation})
    })
    .join('\n')
}
