// JUnit XML for CI test reporters: one test suite per run, one test case per SLA target. A target
// that failed, had no data or was inconclusive is a failure with its reason (unless the target
// allows it); the defaults the profile could not exercise are named in the suite's output.
import {failureText, notApplicableLine, verdictHeadline} from '../sla/verdict-text.js'
import type {RunRecord} from './run-record.js'

const FAILURE_TYPES = {fail: 'SLA_FAILED', 'no-data': 'SLA_NO_DATA', inconclusive: 'SLA_INCONCLUSIVE'} as const

export function renderJunit(record: RunRecord): string {
  const results = record.sla.results
  const failures = results.filter((result) => !result.met).length
  const seconds = (record.durationMs / 1000).toFixed(3)
  const cases = results.map((result) => {
    const open = `    <testcase classname="sla.${xml(record.profile)}" name="${xml(result.name)}" time="${seconds}">`
    if (result.met) {
      const note =
        result.status === 'pass'
          ? `observed ${result.observedText}`
          : `${result.status}, allowed by the target: ${result.reason ?? ''}`
      return `${open}\n      <system-out>${xml(note)}</system-out>\n    </testcase>`
    }
    const message = failureText(result)
    return `${open}\n      <failure message="${xml(message)}" type="${FAILURE_TYPES[result.status as keyof typeof FAILURE_TYPES]}">${xml(message)}</failure>\n    </testcase>`
  })
  const notApplicable = notApplicableLine(record.sla, record.profile)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="streamctl bench" tests="${results.length}" failures="${failures}" skipped="0" time="${seconds}">`,
    `  <testsuite name="sla ${xml(record.profile)}" tests="${results.length}" failures="${failures}" skipped="0" errors="0" time="${seconds}" timestamp="${record.startedAt}">`,
    ...cases,
    `    <system-out>${xml([verdictHeadline(record.sla, record.profile), ...(notApplicable ? [notApplicable] : [])].join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

export function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
