import type {ChalkInstance} from 'chalk'
import {statusMark} from '../ui/style.js'
import type {DoctorReport} from './checks.js'
import type {FixAction} from './fix.js'

export function formatDoctorReport(report: DoctorReport, style: ChalkInstance): string {
  const width = Math.max(...report.findings.map((finding) => finding.title.length))
  const lines: string[] = []
  for (const finding of report.findings) {
    lines.push(`  ${statusMark(finding.status, style)}  ${finding.title.padEnd(width)}  ${style.dim(finding.detail)}`)
    if (finding.status !== 'ok' && finding.fix)
      lines.push(`        ${' '.repeat(width)}  fix: ${style.cyan(finding.fix.command)}`)
  }
  const driver = (name: 'local' | 'compose') => {
    const readiness = report.drivers[name]
    return `${name} ${readiness.usable ? style.green('usable') : style.red('not usable')} (${readiness.reason})`
  }
  const auto = report.drivers[report.autoDriver].usable
    ? ''
    : `, which is ${style.red('not usable')} until the failures above are fixed`
  lines.push(
    '',
    `Drivers: ${driver('local')}; ${driver('compose')}.`,
    `--driver auto will use: ${style.bold(report.autoDriver)}${auto}`,
  )
  return lines.join('\n')
}

export function formatFixActions(actions: FixAction[], style: ChalkInstance): string {
  if (actions.length === 0) return 'Nothing for --fix to do.'
  return actions
    .map((action) => {
      const head = `  ${statusMark(action.ok ? 'ok' : 'fail', style)}  ran: ${action.command}`
      return action.output ? `${head}\n        ${action.output.split('\n').join('\n        ')}` : head
    })
    .join('\n')
}
