// `provision`: make a running stack match its manifest. Every area is planned first — reading
// only — so a conflict anywhere fails before anything is applied; then the areas are applied in
// dependency order (topics, schemas, queues, then the database migrations and seeds).
import {StreamctlError} from '../errors.js'
import type {Stack} from '../stack/load-stack.js'
import type {SeededUser} from '../stack/credentials.js'
import type {DriverName, StackState} from '../stack/state.js'
import type {ProgressReporter} from '../ui/reporter.js'
import {planDatabase, type DatabaseStep} from './database-step.js'
import {isChange, type PlannedChange, type PlannedStep} from './plan.js'
import {planQueues} from './queues-step.js'
import {planSchemas} from './schemas-step.js'
import {planTopics} from './topics-step.js'

export interface ProvisionResult {
  stack: string
  driver: DriverName
  dryRun: boolean
  /** True when this run changed something (always false for a dry run). */
  changed: boolean
  /** Every resource of the manifest and what provision does (or would do) to it. */
  plan: PlannedChange[]
  /** What this run changed; empty for a dry run. */
  applied: PlannedChange[]
  warnings: string[]
  /** Set when API keys were issued: where they were written, and the demo user's key (shown once). */
  credentialsFile?: string
  demoUser?: SeededUser
}

export interface ProvisionOptions {
  dryRun: boolean
  stateDir: string
  reporter: ProgressReporter
}

export async function provisionStack(
  stack: Stack,
  state: StackState,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const {manifest} = stack
  const {endpoints} = state
  const steps: PlannedStep[] = []
  let databaseStep: DatabaseStep | undefined
  try {
    const planning = options.reporter.task('planning')
    steps.push(await planTopics(manifest.topics, endpoints.kafkaBrokers))
    steps.push(await planSchemas(manifest.schemas, stack.dir, endpoints.schemaRegistryUrl))
    steps.push(await planQueues(manifest.queues, endpoints.amqpUrl))
    databaseStep = await planDatabase(manifest, stack.dir, endpoints.databaseUrl, options.stateDir)
    steps.push(databaseStep)
    const conflicts = steps.flatMap((step) => step.conflicts)
    if (conflicts.length > 0) {
      planning.fail(`${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}`)
      throw new StreamctlError(
        'PROVISION_CONFLICT',
        `the stack cannot be made to match ${stack.file} without losing data; nothing was applied:\n${conflicts.map((conflict) => `  - ${conflict}`).join('\n')}`,
        {
          hint: 'Change the manifest, or remove the resources named above by hand, then run `streamctl provision` again.',
          details: {conflicts},
        },
      )
    }
    const plan = steps.flatMap((step) =>
      step.changes.map(({kind, name, action, detail}) => ({kind, name, action, detail})),
    )
    planning.succeed(`${plan.filter(isChange).length} change${plan.filter(isChange).length === 1 ? '' : 's'} planned`)
    const result: ProvisionResult = {
      stack: manifest.name,
      driver: state.driver,
      dryRun: options.dryRun,
      changed: false,
      plan,
      applied: [],
      warnings: steps.flatMap((step) => step.warnings),
    }
    if (options.dryRun) return result

    for (const step of steps) {
      const pending = step.changes.filter(isChange).length
      if (pending === 0) continue
      const task = options.reporter.task(step.area, {total: pending, unit: 'changes'})
      try {
        const applied = await step.apply()
        result.applied.push(...applied)
        task.succeed(`${applied.length} applied`)
      } catch (error) {
        task.fail((error as Error).message.split('\n')[0])
        throw error
      }
    }
    result.changed = result.applied.length > 0
    if (databaseStep?.issued) {
      result.credentialsFile = databaseStep.issued.credentialsFile
      result.demoUser = databaseStep.issued.demoUser
    }
    return result
  } finally {
    await Promise.all(steps.map((step) => step.close()))
  }
}
