import {Args, Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'

export interface LogsResult {
  stack: string
  component?: string
  lines: number
}

export default class Logs extends StreamctlCommand<typeof Logs> {
  static override summary = "Print the components' logs."
  static override description =
    'Each line is prefixed with its component. --follow keeps printing new lines until interrupted. With --json, the lines still go to stdout as text and the summary is printed last.'
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs gateway --follow',
    '<%= config.bin %> logs projector --lines 500',
  ]
  static override args = {component: Args.string({description: 'Only this component.'})}
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines.'}),
    lines: Flags.integer({char: 'n', default: 100, min: 0, description: 'Lines of history per component.'}),
    stack: stackFlag,
  }

  async run(): Promise<LogsResult> {
    const stack = await this.loadStack(this.flags.stack)
    const {stateDirFor} = await import('../lib/stack/state-dir.js')
    const {requireState} = await import('../lib/stack/state.js')
    const {driverByName} = await import('../lib/stack/drivers/select-driver.js')
    const stateDir = stateDirFor(stack.manifest.name)
    const state = await requireState(stateDir, stack.manifest.name)
    const abort = new AbortController()
    const stop = () => abort.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    const reporter = await this.reporter()
    try {
      await driverByName(state.driver).logs({stack, stateDir, reporter, env: process.env}, state, {
        ...(this.args.component ? {component: this.args.component} : {}),
        follow: this.flags.follow,
        lines: this.flags.lines,
        write: (chunk) => process.stdout.write(chunk),
        signal: abort.signal,
      })
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      await reporter.close()
    }
    return {
      stack: stack.manifest.name,
      ...(this.args.component ? {component: this.args.component} : {}),
      lines: this.flags.lines,
    }
  }
}
