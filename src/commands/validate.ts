import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {displayPath} from '../lib/stack/load-stack.js'
import type {StackManifest} from '../lib/stack/manifest.js'

export interface ValidateResult {
  stack: string
  valid: true
  manifest: StackManifest
  /** Names of the load profiles in the stack's profiles directory, all valid. */
  profiles: string[]
}

export default class Validate extends StreamctlCommand<typeof Validate> {
  static override summary = 'Check a stack manifest and every file it refers to, without starting anything.'
  static override description = `Validates stack.yaml (structure, names, references between components, topics, schemas, queues and tiers, SLA threshold syntax) and the files it names (event schemas, migrations, and every load profile in the profiles directory). Every problem is reported as file:line:col: message, and the command exits 2 if there is any.`
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --stack ./my-stack', '<%= config.bin %> validate --json']
  static override flags = {stack: stackFlag}

  async run(): Promise<ValidateResult> {
    const stack = await this.loadStack(this.flags.stack)
    const {file, manifest} = stack
    const {readAllProfiles} = await import('../lib/load/profile-loader.js')
    const profiles = (await readAllProfiles(stack)).map((profile) => profile.name)
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
    this.print(`${displayPath(file)} is valid: stack "${manifest.name}"`)
    this.print(`  ${count(manifest.components.length, 'component')}: ${manifest.components.map((component) => component.name).join(', ')}`)
    this.print(`  ${count(manifest.topics.length, 'topic')}: ${manifest.topics.map((topic) => `${topic.name} (${topic.partitions}p)`).join(', ')}`)
    this.print(`  ${count(manifest.schemas.length, 'event schema')}, ${count(manifest.queues.length, 'queue')}, ${count(manifest.quotas.tiers.length, 'quota tier')}`)
    this.print(`  ${count(manifest.sla.length, 'SLA target')}: ${manifest.sla.map((target) => `${target.metric} ${target.threshold.source}`).join(', ')}`)
    this.print(`  ${count(profiles.length, 'load profile')}: ${profiles.join(', ')}`)
    return {stack: file, valid: true, manifest, profiles}
  }
}
