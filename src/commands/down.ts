import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import type {DownResult} from '../lib/stack/drivers/types.js'

export default class Down extends StreamctlCommand<typeof Down> {
  static override summary = 'Stop what `up` started.'
  static override description = `Stops exactly the processes or containers \`up\` started, and nothing else: shared PostgreSQL, Redis and RabbitMQ servers keep running. --volumes also deletes the stack's data: the broker's log, private servers' data, and on shared servers the stack's database, vhost and Redis keys; on the local driver, the whole state directory with it, the API keys (credentials.json) and the admin token included. Otherwise both are kept, so the next \`up\` gives the gateway the same admin token.`
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --volumes']
  static override flags = {
    volumes: Flags.boolean({description: 'Also delete the stack data.'}),
    stack: stackFlag,
  }

  async run(): Promise<DownResult | {stack: string; wasUp: false}> {
    const stack = await this.loadStack(this.flags.stack)
    const {stateDirFor} = await import('../lib/stack/state-dir.js')
    const {readState} = await import('../lib/stack/state.js')
    const {driverByName} = await import('../lib/stack/drivers/select-driver.js')
    const stateDir = stateDirFor(stack.manifest.name)
    const state = await readState(stateDir)
    if (!state) {
      this.print(`stack "${stack.manifest.name}" is not up: nothing to stop.`)
      return {stack: stack.manifest.name, wasUp: false}
    }
    const reporter = await this.reporter()
    let result: DownResult
    try {
      result = await driverByName(state.driver).down({stack, stateDir, reporter, env: process.env}, state, {
        volumes: this.flags.volumes,
      })
    } finally {
      await reporter.close()
    }
    this.print(`stack "${result.stack}" is down.`)
    for (const item of result.removed) this.print(`  removed ${item}`)
    return result
  }
}
