// The terminal summary of a run record: the load engine's summary of the series, then the quota
// accounting and the SLA verdict (verdict last, where the eye lands), each target with its evidence.
import {formatRunSummary} from '../measure/summary-text.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import type {SlaVerdict} from '../sla/evaluate.js'
import {formatTable} from '../text/table.js'
import {evidenceText, isMet, notApplicableLine, statusWord, verdictHeadline} from '../sla/verdict-text.js'
import type {RunRecord} from './run-record.js'

export function renderTerminal(record: RunRecord): string {
  const lines = [formatRunSummary(record)]
  if (record.quota) lines.push('', ...quotaLines(record.quota))
  lines.push('', ...verdictLines(record.sla, record.profile))
  return lines.join('\n')
}

export function quotaLines(quota: QuotaAccounting): string[] {
  const rows = quota.tiers.map((tier) => [tier.tier, String(tier.users), String(tier.admitted), String(tier.estimatedTokens), String(tier.reservedTokens), String(tier.usedTokens), String(tier.refundedTokens), `${(tier.estimateError * 100).toFixed(1)}%`])
  const invariants = Object.entries(quota.invariants).map(([name, value]) => `${name.replace(/_/g, ' ')} ${value}${value === 0 ? ' ✓' : ' ✗'}`)
  return [
    `quota accounting${quota.drained ? '' : ' (drain timed out: some requests were still in flight)'}: ${quota.client.attempted} generate attempts, ${quota.client.rejected} rejected (429), ${quota.totals.admitted} admitted`,
    formatTable([['tier', 'users', 'admitted', 'estimated', 'reserved', 'used', 'refunded', 'est. error'], ...rows], '  '),
    `  invariants: ${invariants.join(' · ')}`,
  ]
}

export function verdictLines(sla: SlaVerdict, profile: string): string[] {
  const notApplicable = notApplicableLine(sla, profile)
  if (sla.results.length === 0) return [verdictHeadline(sla, profile), ...(notApplicable ? [`  ${notApplicable}`] : [])]
  const rows = sla.results.map((result) => [statusWord(result), result.name, result.observedText, evidenceText(result)])
  const reasons = sla.results.filter((result) => !isMet(result) && result.status !== 'fail' && result.reason).map((result) => `  ${result.name}: ${result.reason}`)
  return [
    `${verdictHeadline(sla, profile)}${sla.source ? ` · targets from ${sla.source}` : ''}${sla.abortedBy ? ` — run aborted early by ${sla.abortedBy}` : ''}`,
    formatTable([['', 'target', 'observed', 'evidence'], ...rows], '  '),
    ...reasons,
    ...(notApplicable ? [`  ${notApplicable}`] : []),
  ]
}
