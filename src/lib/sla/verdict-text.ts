// The words of a verdict, shared by every report (terminal, JUnit, Markdown, HTML), so they all show
// the same counts and say the same thing: the headline counts only the targets that were judged,
// each target reads PASS, FAIL, NO DATA or INCONCLUSIVE with its evidence, and the defaults a
// profile could not exercise are named in one line.
import {formatDuration} from '../text/duration.js'
import {formatInterval, type SlaResult, type SlaVerdict} from './evaluate.js'

export function statusWord(result: SlaResult): string {
  const word = {pass: 'PASS', fail: 'FAIL', 'no-data': 'NO DATA', inconclusive: 'INCONCLUSIVE'}[result.status]
  return result.status !== 'pass' && result.met ? `${word} (allowed)` : word
}

/** `3 of 4 targets met, 1 inconclusive (14 not applicable to retry-storm)`. */
export function verdictCounts(sla: SlaVerdict, profile: string): string {
  const results = sla.results
  const met = results.filter((result) => result.met).length
  const undecided = (status: SlaResult['status']) =>
    results.filter((result) => result.status === status && !result.met).length
  const extras = [
    undecided('inconclusive') > 0 ? `${undecided('inconclusive')} inconclusive` : '',
    undecided('no-data') > 0 ? `${undecided('no-data')} with no data` : '',
  ].filter(Boolean)
  const left = notApplicableCount(sla)
  return `${met} of ${results.length} target${results.length === 1 ? '' : 's'} met${extras.length > 0 ? `, ${extras.join(', ')}` : ''}${left > 0 ? ` (${left} not applicable to ${profile})` : ''}`
}

/** The headline: `SLA FAILED: 3 of 4 targets met (14 not applicable to retry-storm)`. */
export function verdictHeadline(sla: SlaVerdict, profile: string): string {
  if (sla.results.length === 0)
    return `SLA: no targets${notApplicableCount(sla) > 0 ? ` (${notApplicableCount(sla)} not applicable to ${profile})` : ''}`
  return `SLA ${sla.passed ? 'PASSED' : 'FAILED'}: ${verdictCounts(sla, profile)}`
}

/** Default targets left out, once per variant, as the headline counts them. */
function notApplicableCount(sla: SlaVerdict): number {
  const variants = Math.max(1, new Set(sla.results.map((result) => result.variant)).size)
  return (sla.notApplicable?.length ?? 0) * variants
}

/** One line naming the defaults left out and why, grouped by reason; undefined when none were. */
export function notApplicableLine(sla: SlaVerdict, profile: string): string | undefined {
  if (!sla.notApplicable?.length) return undefined
  const byReason = new Map<string, string[]>()
  for (const target of sla.notApplicable)
    byReason.set(target.reason, [...(byReason.get(target.reason) ?? []), target.metric])
  return `not applicable to ${profile}, left out: ${[...byReason].map(([reason, metrics]) => `${metrics.join(', ')} (${reason})`).join('; ')}`
}

/** What a result was judged on: `n=1,203 · 95% CI 71ms–97.9ms`, and why it is undecided. */
export function evidenceText(result: SlaResult): string {
  const parts: string[] = []
  if (result.observed?.samples !== undefined)
    parts.push(
      `n=${result.observed.samples.toLocaleString('en-US')}${result.observed.dropped ? ` (${result.observed.dropped} dropped)` : ''}`,
    )
  if (result.interval)
    parts.push(`${Math.round(result.interval.confidence * 100)}% CI ${formatInterval(result.interval)}`)
  if (result.status === 'inconclusive')
    parts.push(
      result.toDecide
        ? `needs ~${result.toDecide.samples.toLocaleString('en-US')} samples${result.toDecide.durationMs ? ` (~${formatDuration(result.toDecide.durationMs)} run)` : ''}`
        : 'at the threshold: no run length decides it',
    )
  if (result.status === 'no-data') parts.push(result.met ? 'no samples (allowed)' : 'no samples: nothing to judge')
  return parts.join(' · ')
}

/** Why a target did not pass, in one sentence, for a JUnit failure or a report row. */
export function failureText(result: SlaResult): string {
  if (result.status === 'fail')
    return `${result.metric}: observed ${result.observedText}, target ${result.threshold}${result.interval ? ` (${Math.round(result.interval.confidence * 100)}% CI ${formatInterval(result.interval)})` : ''}`
  return `${result.metric}: ${result.status === 'no-data' ? 'no data' : 'inconclusive'}, target ${result.threshold}: ${result.reason ?? evidenceText(result)}`
}

/** The `error` member a `--json` result carries when its verdict failed: the same shape as every other error. */
export interface SlaFailedJson {
  code: 'SLA_FAILED'
  message: string
  exitCode: 99
}

export function slaFailedJson(sla: SlaVerdict, profile: string): {error: SlaFailedJson} | Record<string, never> {
  if (sla.passed) return {}
  return {
    error: {
      code: 'SLA_FAILED',
      message: `${verdictHeadline(sla, profile)}${sla.abortedBy ? ` — run aborted early by ${sla.abortedBy}` : ''}`,
      exitCode: 99,
    },
  }
}
