import path from 'node:path'
import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import type {DoctorReport} from '../lib/doctor/checks.js'
import type {FixAction} from '../lib/doctor/fix.js'
import {ExitCode} from '../lib/errors.js'
import {styler} from '../lib/ui/style.js'

export interface DoctorResult extends DoctorReport {
  stack: string
  /** What --fix ran, when it was given. */
  fixes?: FixAction[]
}

export default class Doctor extends StreamctlCommand<typeof Doctor> {
  static override summary = 'Check this machine for what the stack needs, and say how to fix what is missing.'
  static override description = `Checks Node.js, whether a Docker engine answers (not just the client), the binaries the local driver may use (postgres/initdb, redis-server, rabbitmq-server, kcat), whether PostgreSQL, Redis and RabbitMQ answer on their ports, whether the stack is up (from its state file), and whether the stack's own ports are free. A port held by the running stack's own processes is reported as in use by this stack, not as a problem. Every problem comes with the exact command that fixes it; --fix runs those it can (installing Debian packages needs root) and checks again.

Exits 0 when nothing fails (warnings allowed), 1 otherwise.`
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --json',
    'sudo <%= config.bin %> doctor --fix',
  ]
  static override flags = {
    fix: Flags.boolean({
      description: 'Install missing Debian packages and start stopped servers (root), then check again.',
    }),
    stack: stackFlag,
  }

  async run(): Promise<DoctorResult> {
    const stack = await this.loadStack(this.flags.stack)
    const [{runDoctor}, {formatDoctorReport, formatFixActions}, {stateDirFor}, {readState, STATE_FILE}] =
      await Promise.all([
        import('../lib/doctor/checks.js'),
        import('../lib/doctor/format.js'),
        import('../lib/stack/state-dir.js'),
        import('../lib/stack/state.js'),
      ])
    const style = styler(this.color)
    const stateDir = stateDirFor(stack.manifest.name)
    const state = await readState(stateDir)
    const options = {...(state ? {state} : {}), stateFile: path.join(stateDir, STATE_FILE)}
    let report = await runDoctor(stack.manifest, options)
    let fixes: FixAction[] | undefined
    if (this.flags.fix) {
      const {applyFixes, planFixes} = await import('../lib/doctor/fix.js')
      const plan = planFixes(report.findings)
      fixes = await applyFixes(plan)
      this.print(formatFixActions(fixes, style))
      if (fixes.length > 0) {
        report = await runDoctor(stack.manifest, options)
        this.print('')
      }
    }
    this.print(`streamctl doctor: stack "${stack.manifest.name}" (${stack.file})\n`)
    this.print(formatDoctorReport(report, style))
    if (!report.ok) this.setExitCode(ExitCode.error)
    return {stack: stack.file, ...report, ...(fixes ? {fixes} : {})}
  }
}
