import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import type {NotApplicableTarget} from '../lib/sla/targets.js'
import {displayPath} from '../lib/text/display-path.js'
import type {Stack} from '../lib/stack/load-stack.js'
import type {StackManifest} from '../lib/stack/manifest.js'

export interface ValidateResult {
  stack: string
  valid: true
  manifest: StackManifest
  /** Names of the load profiles in the stack's profiles directory, all valid. */
  profiles: string[]
  /** Per profile, the SLA targets a bench of it against the stack is judged by, and the defaults left out. */
  sla: Array<{profile: string; source?: string; targets: string[]; notApplicable: NotApplicableTarget[]}>
}

export default class Validate extends StreamctlCommand<typeof Validate> {
  static override summary = 'Check a stack manifest and every file it refers to, without starting anything.'
  static override description = `Validates stack.yaml (structure, names, references between components, topics, schemas, queues and tiers, SLA threshold syntax) and the files it names (event schemas, migrations, and every load profile in the profiles directory). Every SLA target is checked against the metrics that exist, as \`bench\` does before it sends anything: a name no profile can produce (a typo) is reported with a suggestion, and for each profile it lists the targets a bench of it is judged by and the defaults it cannot exercise. --sla FILE checks an SLA file the same way: with --profile, that the profile produces every metric it names (as \`bench --sla\` does); without, that every name exists in some profile of the stack. Every problem is reported as file:line:col: message, and the command exits 2 if there is any.`
  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate --stack ./my-stack',
    '<%= config.bin %> validate --sla ./sla.yaml --profile peak',
    '<%= config.bin %> validate --json',
  ]
  static override flags = {
    sla: Flags.file({
      helpValue: '<file>',
      description: 'Also check this SLA targets file (as `bench --sla` would use it).',
    }),
    profile: Flags.string({
      description: 'Check the SLA targets against this profile only (a name in the profiles directory or a path).',
    }),
    stack: stackFlag,
  }

  async run(): Promise<ValidateResult> {
    const stack = await this.loadStack(this.flags.stack)
    const {file, manifest} = stack
    const {findProfile, readAllProfiles} = await import('../lib/load/profile-loader.js')
    const {checkManifestSla, chooseSlaTargets} = await import('../lib/bench/choose-targets.js')
    const {metricUniverse, runMetrics} = await import('../lib/load/run-metrics.js')
    const all = await readAllProfiles(stack)
    const profiles = this.flags.profile ? [await findProfile(stack, this.flags.profile)] : all
    // Every name of the stack, from the profiles already read: each check below uses the one set.
    const universe = metricUniverse(
      [...all, ...profiles].flatMap((profile) => runMetrics(profile.name, profile.requests, true).series),
    )
    checkManifestSla(stack, universe)
    // An SLA file without --profile: its names must exist (no typos); with --profile, fit that profile as `bench` needs.
    if (this.flags.sla && !this.flags.profile) await checkSlaFileNames(stack, this.flags.sla, universe)
    const sla = []
    for (const profile of profiles) {
      const chosen = await chooseSlaTargets(stack, profile, this.flags.profile ? this.flags.sla : undefined, {
        stackRun: !profile.target,
        universe,
      })
      sla.push({
        profile: profile.name,
        ...(chosen.source ? {source: chosen.source} : {}),
        targets: chosen.targets.map((target) => `${target.metric} ${target.threshold.source}`),
        notApplicable: chosen.notApplicable,
      })
    }
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
    this.print(`${displayPath(file)} is valid: stack "${manifest.name}"`)
    this.print(
      `  ${count(manifest.components.length, 'component')}: ${manifest.components.map((component) => component.name).join(', ')}`,
    )
    this.print(
      `  ${count(manifest.topics.length, 'topic')}: ${manifest.topics.map((topic) => `${topic.name} (${topic.partitions}p)`).join(', ')}`,
    )
    this.print(
      `  ${count(manifest.schemas.length, 'event schema')}, ${count(manifest.queues.length, 'queue')}, ${count(manifest.quotas.tiers.length, 'quota tier')}`,
    )
    this.print(
      `  ${count(manifest.sla.length, 'SLA target')}: ${manifest.sla.map((target) => `${target.metric} ${target.threshold.source}`).join(', ')}`,
    )
    this.print(`  ${count(all.length, 'load profile')}: ${all.map((profile) => profile.name).join(', ')}`)
    if (this.flags.sla && !this.flags.profile)
      this.print(`${this.flags.sla}: every metric name exists (pass --profile to check it against one profile)`)
    this.print(
      `SLA targets each profile is judged by${this.flags.sla && this.flags.profile ? ` (from ${this.flags.sla})` : ''}:`,
    )
    for (const entry of sla) {
      const left =
        entry.notApplicable.length > 0
          ? `; not applicable: ${entry.notApplicable.map((target) => target.metric).join(', ')}`
          : ''
      this.print(`  ${entry.profile}: ${count(entry.targets.length, 'target')}${left}`)
    }
    return {stack: file, valid: true, manifest, profiles: all.map((profile) => profile.name), sla}
  }
}

async function checkSlaFileNames(stack: Stack, file: string, universe: ReadonlySet<string>): Promise<void> {
  const {readSlaFile} = await import('../lib/sla/sla-file.js')
  const {unknownNameProblems} = await import('../lib/load/run-metrics.js')
  const {sourceProblemsError} = await import('../lib/yaml/source.js')
  const shown = displayPath(file)
  const problems = unknownNameProblems(
    await readSlaFile(file),
    universe,
    `any profile of stack ${stack.manifest.name}`,
    shown,
  )
  if (problems.length > 0)
    throw sourceProblemsError(
      'SLA_FILE_INVALID',
      shown,
      problems,
      'Fix the lines above; --profile NAME also checks that this profile produces every metric.',
    )
}
