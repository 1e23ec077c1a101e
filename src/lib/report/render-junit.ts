// JUnit XML for CI test reporters: one test suite per run, one test case per SLA target (failed
// targets carry the observed value; targets without data are skipped).
import type {RunRecord} from './run-record.js'

export function renderJunit(record: RunRecord): string {
  const results = record.sla.results
  const failures = results.filter((result) => result.status === 'fail').length
  const skipped = results.filter((result) => result.status === 'no-data').length
  const seconds = (record.durationMs / 1000).toFixed(3)
  const cases = results.map((result) => {
    const open = `    <testcase classname="sla.${xml(record.profile)}" name="${xml(result.name)}" time="${seconds}">`
    if (result.status === 'pass') return `${open}\n      <system-out>observed ${xml(result.observedText)}</system-out>\n    </testcase>`
    if (result.status === 'no-data') return `${open}\n      <skipped message="no data for ${xml(result.metric)} in this run"/>\n    </testcase>`
    const message = `${result.metric}: observed ${result.observedText}, target ${result.threshold}`
    return `${open}\n      <failure message="${xml(message)}" type="SLA_FAILED">${xml(message)}</failure>\n    </testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="streamctl bench" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="sla ${xml(record.profile)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds}" timestamp="${record.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

export function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
