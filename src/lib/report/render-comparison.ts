// `report --compare` in the terminal: one row per series, base and new side by side, and the call;
// a comparison of runs under different conditions (--force) says so first and last.
import {formatDuration} from '../text/duration.js'
import {formatTable} from '../text/table.js'
import {listDifferences, type RunComparison, type RunDifference} from './compare.js'

export function renderComparison(comparison: RunComparison): string {
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`
  const rows = comparison.series.map((row) => [
    row.variant === 'default' ? row.series : `${row.variant}/${row.series}`,
    `${formatDuration(row.base.p50)} → ${formatDuration(row.next.p50)} (${signed(row.change.p50)})`,
    `${formatDuration(row.base.p99)} → ${formatDuration(row.next.p99)} (${signed(row.change.p99)})`,
    `${(row.base.errorRate * 100).toFixed(2)}% → ${(row.next.errorRate * 100).toFixed(2)}%`,
    row.verdict,
  ])
  const details = comparison.series
    .filter((row) => row.verdict !== 'no significant change')
    .map((row) => `  ${row.series}: ${row.verdict} — ${row.reason}`)
  const call =
    comparison.verdict === 'regression'
      ? 'REGRESSION: significant slowdown or more errors (see above)'
      : comparison.verdict === 'improvement'
        ? 'improvement: significantly faster, no regression'
        : 'no significant change'
  return [
    ...(comparison.likeForLike
      ? []
      : [
          `NOT LIKE FOR LIKE${comparison.forced ? ' (compared with --force)' : ''}: ${listDifferences(comparison.differences)}`,
        ]),
    `base ${comparison.base}\nnew  ${comparison.next}`,
    '',
    formatTable([['series', 'p50', 'p99', 'errors', 'call'], ...rows], '  '),
    ...(details.length > 0 ? ['', ...details] : []),
    '',
    comparison.likeForLike ? call : `${call} (not like for like: ${unlikeness(comparison.differences)})`,
  ].join('\n')
}

const SYSTEM_FIELDS: ReadonlySet<RunDifference['field']> = new Set(['stack', 'driver', 'target'])

/** What the differences amount to: other load, another system, or both. */
function unlikeness(differences: RunDifference[]): string {
  const load = differences.some((difference) => !SYSTEM_FIELDS.has(difference.field))
  const system = differences.some((difference) => SYSTEM_FIELDS.has(difference.field))
  return load && system
    ? 'the runs offered different load to different systems'
    : load
      ? 'the runs offered different load'
      : 'the runs went against different systems'
}
