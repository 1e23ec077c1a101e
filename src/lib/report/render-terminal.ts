// The terminal summary of a run record: the load engine's summary of the series, then the quota
// accounting and the SLA verdict (verdict last, where the eye lands).
import {formatRunSummary} from '../measure/summary-text.js'
import type {QuotaAccounting} from '../quota/accounting.js'
import type {SlaVerdict} from '../sla/evaluate.js'
import {formatTable} from '../text/table.js'
import type {RunRecord} from './run-record.js'

export function renderTerminal(record: RunRecord): string {
  const lines = [formatRunSummary(record)]
  if (record.quota) lines.push('', ...quotaLines(record.quota))
  lines.push('', ...verdictLines(record.sla))
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

export function verdictLines(sla: SlaVerdict): string[] {
  if (sla.results.length === 0) return ['SLA: no targets']
  const rows = sla.results.map((result) => [result.status === 'pass' ? 'PASS' : result.status === 'fail' ? 'FAIL' : 'n/a', result.name, result.observedText])
  const failed = sla.results.filter((result) => result.status === 'fail').length
  return [
    `SLA ${sla.passed ? 'PASSED' : 'FAILED'}: ${sla.results.length - failed} of ${sla.results.length} targets met${sla.source ? ` (targets from ${sla.source})` : ''}${sla.abortedBy ? ` — run aborted early by ${sla.abortedBy}` : ''}`,
    formatTable([['', 'target', 'observed'], ...rows], '  '),
  ]
}
