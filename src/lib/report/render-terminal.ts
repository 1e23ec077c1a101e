// The terminal summary of a run record: the load engine's summary of the series, then the quota
// accounting and the SLA verdict (verdict last, where the eye lands), each target with its evidence.
// Given a terminal's width, everything fits it: tables leave columns out, long lines flow onto the next.
import {formatRunSummary, type SummaryLayout} from '../measure/summary-text.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import type {SlaVerdict} from '../sla/evaluate.js'
import {wrapLines} from '../text/fit-width.js'
import {formatTable} from '../text/table.js'
import {evidenceText, notApplicableLine, statusWord, verdictHeadline} from '../sla/verdict-text.js'
import {publishedComparison} from './published-figures.js'
import type {RunRecord} from './run-record.js'

export function renderTerminal(record: RunRecord, layout: SummaryLayout = {}): string {
  const lines = [formatRunSummary(record, layout)]
  const published = publishedComparison(record)
  if (published)
    lines.push(
      '',
      `${published.title} · ${published.windows}`,
      formatTable([published.header, ...published.rows], '  ', {width: layout.width}),
    )
  if (record.quota) lines.push('', ...quotaLines(record.quota, layout))
  lines.push('', ...verdictLines(record.sla, record.profile, layout))
  const text = lines.join('\n')
  return layout.width === undefined ? text : wrapLines(text, layout.width)
}

// Left out first when a terminal is narrow: users, estimated (est. error says how far off it was), refunded.
const QUOTA_DROP_ORDER = [1, 3, 6]

function quotaLines(quota: QuotaAccounting, {width}: SummaryLayout): string[] {
  const rows = quota.tiers.map((tier) => [
    tier.tier,
    String(tier.users),
    String(tier.admitted),
    String(tier.estimatedTokens),
    String(tier.reservedTokens),
    String(tier.usedTokens),
    String(tier.refundedTokens),
    `${(tier.estimateError * 100).toFixed(1)}%`,
  ])
  const invariants = Object.entries(quota.invariants).map(
    ([name, value]) => `${name.replace(/_/g, ' ')} ${value}${value === 0 ? ' ✓' : ' ✗'}`,
  )
  return [
    `quota accounting${quota.drained ? '' : ' (drain timed out: some requests were still in flight)'}: ${quota.client.attempted} generate attempts, ${quota.client.rejected} rejected (429), ${quota.totals.admitted} admitted`,
    formatTable(
      [['tier', 'users', 'admitted', 'estimated', 'reserved', 'used', 'refunded', 'est. error'], ...rows],
      '  ',
      {width, dropOrder: QUOTA_DROP_ORDER},
    ),
    `  invariants: ${invariants.join(' · ')}`,
  ]
}

function verdictLines(sla: SlaVerdict, profile: string, {width}: SummaryLayout): string[] {
  const notApplicable = notApplicableLine(sla, profile)
  if (sla.results.length === 0) return [verdictHeadline(sla, profile), ...(notApplicable ? [`  ${notApplicable}`] : [])]
  const rows = sla.results.map((result) => [statusWord(result), result.name, result.observedText, evidenceText(result)])
  const reasons = sla.results
    .filter((result) => !result.met && result.status !== 'fail' && result.reason)
    .map((result) => `  ${result.name}: ${result.reason}`)
  return [
    `${verdictHeadline(sla, profile)}${sla.source ? ` · targets from ${sla.source}` : ''}${sla.abortedBy ? ` — run aborted early by ${sla.abortedBy}` : ''}`,
    formatTable([['', 'target', 'observed', 'evidence'], ...rows], '  ', {width}),
    ...reasons,
    ...(notApplicable ? [`  ${notApplicable}`] : []),
  ]
}
