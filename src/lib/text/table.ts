// Plain aligned columns for terminal listings (topics, groups, plans): no borders, so the output
// stays greppable and reads the same in CI logs.

/** Left-aligns text columns and right-aligns numeric ones; the first row is the header. */
export function formatTable(rows: Array<Array<string | number>>, indent = ''): string {
  if (rows.length === 0) return ''
  const columns = Math.max(...rows.map((row) => row.length))
  const numeric = Array.from({length: columns}, (_, column) => rows.slice(1).every((row) => typeof row[column] === 'number' || row[column] === undefined))
  const widths = Array.from({length: columns}, (_, column) => Math.max(...rows.map((row) => String(row[column] ?? '').length)))
  return rows
    .map((row) =>
      `${indent}${row
        .map((cell, column) => {
          const text = String(cell ?? '')
          if (column === row.length - 1 && !numeric[column]) return text
          return numeric[column] ? text.padStart(widths[column]!) : text.padEnd(widths[column]!)
        })
        .join('  ')}`.trimEnd(),
    )
    .join('\n')
}
