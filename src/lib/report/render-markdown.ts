// Markdown for $GITHUB_STEP_SUMMARY: the verdict first (one line and the targets not met), the
// rest folded into <details>: every target, the series, quota accounting.
import {describeBacklog, grownBacklogs} from '../measure/backlog.js'
import {sendLagText} from '../measure/summary-text.js'
import {formatDuration} from '../text/duration.js'
import {evidenceText, notApplicableLine, statusWord, verdictCounts, verdictHeadline} from '../sla/verdict-text.js'
import {publishedComparison} from './published-figures.js'
import type {RunRecord} from './run-record.js'

export function renderMarkdown(record: RunRecord): string {
  const {sla} = record
  const unmet = sla.results.filter((result) => !result.met)
  const notApplicable = notApplicableLine(sla, record.profile)
  const lines = [
    `## ${sla.results.length === 0 ? '➖ No SLA targets' : sla.passed ? '✅ SLA passed' : '❌ SLA failed'} — \`${record.profile}\` (seed ${record.seed}, ${formatDuration(record.durationMs)})`,
    '',
    sla.results.length === 0
      ? `${verdictHeadline(sla, record.profile)}.`
      : `${verdictCounts(sla, record.profile)}${sla.abortedBy ? `; run aborted early by \`${sla.abortedBy}\`` : ''}.`,
  ]
  if (unmet.length > 0)
    lines.push(
      '',
      '| target not met | result | observed | evidence |',
      '|---|---|---|---|',
      ...unmet.map(
        (result) =>
          `| \`${cell(result.name)}\` | ${statusWord(result)} | **${cell(result.observedText)}** | ${cell(result.reason ?? evidenceText(result))} |`,
      ),
    )
  if (notApplicable) lines.push('', `_${cell(notApplicable)}_`)
  const backlogs = record.variants.flatMap((variant) =>
    grownBacklogs(variant.gauges ?? []).map(
      (backlog) => `> ⚠️ ${record.variants.length > 1 ? `${variant.name}: ` : ''}${describeBacklog(backlog)}`,
    ),
  )
  if (backlogs.length > 0) lines.push('', ...backlogs.flatMap((line, index) => (index === 0 ? [line] : ['>', line])))
  const published = publishedComparison(record)
  if (published)
    lines.push(
      '',
      `### ${cell(published.title)}`,
      '',
      `_${cell(published.windows)}_`,
      '',
      `| ${published.header.map(cell).join(' | ')} |`,
      `|${published.header.map((_, index) => (index < 2 ? '---' : '---:')).join('|')}|`,
      ...published.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    )
  lines.push(
    '',
    '<details><summary>All SLA targets</summary>',
    '',
    '| | target | result | observed | evidence |',
    '|---|---|---|---|---|',
  )
  for (const result of sla.results)
    lines.push(
      `| ${result.status === 'pass' ? '✅' : result.met ? '☑️' : result.status === 'fail' ? '❌' : '⚠️'} | \`${cell(result.name)}\` | ${statusWord(result)} | ${cell(result.observedText)} | ${cell(evidenceText(result))} |`,
    )
  lines.push('', '</details>')
  for (const variant of record.variants) {
    lines.push(
      '',
      `<details><summary>Latency and errors${record.variants.length > 1 ? ` — ${cell(variant.name)}` : ''}</summary>`,
      '',
      '| series | requests | p50 | p90 | p99 | p99.9 | max | failed |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    )
    for (const [name, series] of Object.entries(variant.totals)) {
      const failedCount = Object.values(series.counts.failed).reduce((sum, value) => sum + value, 0)
      const l = series.latency
      lines.push(
        `| ${cell(name)} | ${series.counts.requests} | ${formatDuration(l.p50)} | ${formatDuration(l.p90)} | ${formatDuration(l.p99)} | ${formatDuration(l.p999)} | ${formatDuration(l.max)} | ${failedCount} |`,
      )
    }
    lines.push(
      '',
      `amplification ${variant.amplification.toFixed(2)}x · goodput ${variant.goodput.toFixed(1)}/s · ${sendLagText(variant)}`,
      '',
      '</details>',
    )
  }
  if (record.quota) {
    const quota = record.quota
    lines.push(
      '',
      '<details><summary>Quota accounting</summary>',
      '',
      `${quota.client.attempted} generate attempts, ${quota.client.rejected} rejected (429), ${quota.totals.admitted} admitted.`,
      '',
    )
    lines.push(
      '| tier | users | admitted | estimated | used | refunded | estimate error |',
      '|---|---:|---:|---:|---:|---:|---:|',
    )
    for (const tier of quota.tiers)
      lines.push(
        `| ${tier.tier} | ${tier.users} | ${tier.admitted} | ${tier.estimatedTokens} | ${tier.usedTokens} | ${tier.refundedTokens} | ${(tier.estimateError * 100).toFixed(1)}% |`,
      )
    lines.push(
      '',
      `Invariants: ${Object.entries(quota.invariants)
        .map(([name, value]) => `${name} = ${value}`)
        .join(', ')}`,
      '',
      '</details>',
    )
  }
  return `${lines.join('\n')}\n`
}

const cell = (text: string) => text.replace(/\|/g, '\\|')
