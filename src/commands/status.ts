import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {ExitCode} from '../lib/errors.js'
import type {ComponentStatus} from '../lib/stack/drivers/types.js'
import type {StackGauges} from '../lib/stack/gauges.js'
import type {DriverName, Endpoints} from '../lib/stack/state.js'
import {silentReporter} from '../lib/ui/reporter.js'
import {statusMark, styler} from '../lib/ui/style.js'

export interface StatusResult {
  stack: string
  up: boolean
  driver?: DriverName
  healthy: boolean
  components: ComponentStatus[]
  endpoints?: Endpoints
  gauges?: StackGauges
}

export default class Status extends StreamctlCommand<typeof Status> {
  static override summary = 'Show the health, address and version of each component, and the stack gauges.'
  static override description =
    'Gauges: consumer lag per group, queue depth per queue, and the cache hit rate the services report. Exits 0 when every component is healthy and 3 when the stack is down or a component is not.'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']
  static override flags = {stack: stackFlag}

  async run(): Promise<StatusResult> {
    const stack = await this.loadStack(this.flags.stack)
    const {stateDirFor} = await import('../lib/stack/state-dir.js')
    const {readState} = await import('../lib/stack/state.js')
    const stateDir = stateDirFor(stack.manifest.name)
    const state = await readState(stateDir)
    if (!state) {
      this.print(`stack "${stack.manifest.name}" is not up. Run \`streamctl up\`.`)
      this.setExitCode(ExitCode.notReady)
      return {stack: stack.manifest.name, up: false, healthy: false, components: []}
    }
    const {driverByName} = await import('../lib/stack/drivers/select-driver.js')
    const {collectGauges} = await import('../lib/stack/gauges.js')
    const [components, gauges] = await Promise.all([
      driverByName(state.driver).status({stack, stateDir, reporter: silentReporter(), env: process.env}, state),
      collectGauges(stack.manifest, state),
    ])
    const healthy = components.length > 0 && components.every((component) => component.healthy)
    const style = styler(this.color)
    this.print(
      `stack "${state.stack}" (${state.driver} driver): ${healthy ? style.green('healthy') : style.red('not healthy')}\n`,
    )
    const width = Math.max(...components.map((component) => component.name.length))
    for (const component of components) {
      const version = component.version ? `  ${component.version}` : ''
      const pid = component.pid ? `  pid ${component.pid}` : ''
      this.print(
        `  ${statusMark(component.healthy ? 'ok' : 'fail', style)}  ${component.name.padEnd(width)}  ${component.address.padEnd(21)} ${style.dim(`${component.mode}${pid}${version} · ${component.detail}`)}`,
      )
    }
    const gaugeLines = describeGauges(gauges)
    if (gaugeLines.length > 0) this.print(`\n${gaugeLines.join('\n')}`)
    if (!healthy) this.setExitCode(ExitCode.notReady)
    return {stack: state.stack, up: true, driver: state.driver, healthy, components, endpoints: state.endpoints, gauges}
  }
}

function describeGauges(gauges: StackGauges): string[] {
  const lines: string[] = []
  if (gauges.queues.length > 0)
    lines.push(`queues:   ${gauges.queues.map((queue) => `${queue.name}=${queue.depth ?? '?'}`).join('  ')}`)
  if (gauges.consumerLag.length > 0)
    lines.push(
      `lag:      ${gauges.consumerLag.map((group) => `${group.group}/${group.topic}=${group.lag}`).join('  ')}`,
    )
  if (gauges.cacheHitRate !== undefined) lines.push(`cache:    hit rate ${(gauges.cacheHitRate * 100).toFixed(1)}%`)
  for (const problem of gauges.unavailable) lines.push(`(${problem})`)
  return lines
}
