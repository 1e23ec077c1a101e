// `demo`: bring the stack up with the chosen driver, provision it, then bench `peak` against it,
// judged by the manifest's SLA targets with the quota accounting after drain.
import {provisionStack} from '../provision/provision.js'
import {selectDriver} from '../stack/drivers/select-driver.js'
import type {Stack} from '../stack/load-stack.js'
import {stateDirFor} from '../stack/state-dir.js'
import {requireState} from '../stack/state.js'
import type {ProgressReporter} from '../ui/reporter.js'
import {benchProfile, type BenchOutcome} from './bench-profile.js'

export interface DemoOptions {
  driver: 'auto' | 'compose' | 'local'
  durationMs: number
  /** Unrecorded requests at the starting rate first; 0 for none. */
  warmupMs: number
  /** Base rate of the peak curve, requests per second. */
  rate: number
  outDir: string
  /** streamctl's version, for the run record's metadata. */
  version: string
}

export interface DemoOutcome extends BenchOutcome {
  /** The driver that brought the stack up. */
  driver: string
}

export async function runDemo(
  stack: Stack,
  options: DemoOptions,
  context: {reporter: ProgressReporter; signal?: AbortSignal},
): Promise<DemoOutcome> {
  const {reporter} = context
  const stateDir = stateDirFor(stack.manifest.name)
  let driverName: string = options.driver
  const outcome = await benchProfile(
    stack,
    {
      profile: 'peak',
      overrides: {durationMs: options.durationMs, warmupMs: options.warmupMs, rate: options.rate},
      version: options.version,
      reports: {outDir: options.outDir},
    },
    {
      ...context,
      prepareStack: async () => {
        const {driver, reason} = await selectDriver(options.driver)
        driverName = driver.name
        reporter.info(`1/3 up: stack "${stack.manifest.name}" with the ${driver.name} driver (${reason})`)
        await driver.up({stack, stateDir, reporter, env: process.env}, {waitTimeoutMs: 120_000})
        reporter.info('2/3 provision: topics, schemas, migrations, queues, quota tiers, users and API keys')
        const state = await requireState(stateDir, stack.manifest.name)
        await provisionStack(stack, state, {dryRun: false, stateDir, reporter})
        return state
      },
      announce: (_profile, target) =>
        `3/3 bench peak for ${Math.round(options.durationMs / 1000)}s at ${options.rate} req/s base (3x at the peak) → ${target.url}${options.warmupMs > 0 ? `, after a ${Math.round(options.warmupMs / 1000)}s warm-up` : ''}`,
    },
  )
  return {...outcome, driver: outcome.record.meta.driver ?? driverName}
}
