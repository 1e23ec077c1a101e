import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import type {ProvisionResult} from '../lib/provision/provision.js'
import {formatTable} from '../lib/text/table.js'

export default class Provision extends StreamctlCommand<typeof Provision> {
  static override summary =
    'Make the running stack match its manifest: topics, event schemas, SQL migrations, queues, quota tiers, users and API keys.'
  static override description = `Prints the plan — every resource of the manifest and what will happen to it — then applies it and says what changed. Running it again changes nothing.

Topics are created, their partitions raised and the configs the manifest names altered; event schemas are registered in the schema registry (when the stack has one); SQL migrations run in order, each once and in its own transaction; RabbitMQ queues, the dead-letter exchange and the DLQ bindings are declared; quota tiers, the seeded users and their API keys are written (keys hashed at rest; the keys go to the stack's state directory and the demo key is printed once).

Everything is planned before anything is applied: a bad manifest, a topic with more partitions than the manifest, a queue with other arguments or an incompatible schema fails with nothing changed. It works on the endpoints of the stack \`up\` brought up (for the external driver, the endpoints it checked).`
  static override examples = [
    '<%= config.bin %> provision --dry-run',
    '<%= config.bin %> provision',
    '<%= config.bin %> provision --stack ./my-stack --json',
  ]
  static override flags = {
    'dry-run': Flags.boolean({description: 'Only print the plan; change nothing.'}),
    stack: stackFlag,
  }

  async run(): Promise<ProvisionResult> {
    const stack = await this.loadStack(this.flags.stack)
    const {stateDirFor} = await import('../lib/stack/state-dir.js')
    const {requireState} = await import('../lib/stack/state.js')
    const {provisionStack} = await import('../lib/provision/provision.js')
    const stateDir = stateDirFor(stack.manifest.name)
    const state = await requireState(stateDir, stack.manifest.name)
    const reporter = await this.reporter()
    let result: ProvisionResult
    try {
      result = await provisionStack(stack, state, {dryRun: this.flags['dry-run'] === true, stateDir, reporter})
    } finally {
      await reporter.close()
    }
    this.print(`plan for stack "${result.stack}" (${result.driver} driver):\n`)
    this.print(
      formatTable(
        [
          ['KIND', 'NAME', 'ACTION', 'DETAIL'],
          ...result.plan.map((change) => [
            change.kind,
            change.name,
            change.action === 'none' ? 'ok' : change.action,
            change.detail,
          ]),
        ],
        '  ',
      ),
    )
    for (const warning of result.warnings) this.print(`warning: ${warning}`)
    const planned = result.plan.filter((change) => change.action !== 'none' && change.action !== 'skip').length
    if (result.dryRun)
      this.print(
        `\ndry run: ${planned === 0 ? 'nothing to change' : `${planned} change${planned === 1 ? '' : 's'} would be made`}; nothing was applied.`,
      )
    else if (!result.changed) this.print('\nnothing to change: the stack already matches its manifest.')
    else
      this.print(
        `\napplied ${result.applied.length} change${result.applied.length === 1 ? '' : 's'}: ${summarise(result)}.`,
      )
    if (result.demoUser && result.credentialsFile) {
      this.print(
        `\ndemo API key (${result.demoUser.userId}, tier ${result.demoUser.tier}) — shown once:\n  ${result.demoUser.apiKey}\nevery seeded user's key is in ${result.credentialsFile} (mode 0600).`,
      )
    }
    return result
  }
}

function summarise(result: ProvisionResult): string {
  const counts = new Map<string, number>()
  const seeded: string[] = []
  for (const change of result.applied) {
    if (change.kind === 'users' || change.kind === 'api-keys')
      seeded.push(`${change.kind === 'users' ? 'users' : 'API keys'} (${change.detail})`)
    else counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1)
  }
  return [...[...counts].map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`), ...seeded].join(', ')
}
