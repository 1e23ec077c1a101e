import {Args, Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {durationFlag} from '../cli/flags.js'
import {StreamctlError} from '../lib/errors.js'
import type {TimelineEventSpec} from '../lib/load/profile.js'
import type {LoadRunData} from '../lib/measure/run-data.js'

export interface BenchResult {
  /** Where the run data was written. */
  file: string
  run: LoadRunData
}

const positiveNumber = Flags.custom<number>({
  parse: async (input, _context, options) => {
    const value = Number(input)
    if (!(value > 0) || !Number.isFinite(value)) throw new StreamctlError('INVALID_FLAG', `--${options.name} ${input}: expected a positive number`)
    return value
  },
})

const chaosFlag = Flags.custom<TimelineEventSpec>({
  helpValue: '<action:component@at>',
  parse: async (input) => {
    const {parseChaosSpec} = await import('../lib/load/chaos-spec.js')
    return parseChaosSpec(input)
  },
})

const shardFlag = Flags.custom<{index: number; count: number}>({
  helpValue: '<i/N>',
  parse: async (input) => {
    const match = /^(\d+)\/(\d+)$/.exec(input.trim())
    const index = Number(match?.[1])
    const count = Number(match?.[2])
    if (!match || count < 1 || index < 1 || index > count) throw new StreamctlError('INVALID_FLAG', `--shard ${input}: expected i/N with 1 <= i <= N, e.g. 1/4`)
    return {index: index - 1, count}
  },
})

export default class Bench extends StreamctlCommand<typeof Bench> {
  static override summary = 'Run a load profile against the stack (or any HTTP target) and record latency histograms.'
  static override description = `Offers load as the profile describes — an open model by default, where every request has an intended start from the arrival curve and latency is measured from it (free of coordinated omission, as wrk2 does), or a closed model of virtual users — with the profile's request mix, client retry policy and timeline of faults and interventions. Variants (e.g. naive vs resilient clients) run back to back.

PROFILE is a name in the stack's profiles directory (peak, retry-storm, cache-storm, llm-ratelimit, steady, spike, soak) or the path of a YAML file. Without --target the stack must be up and provisioned: requests go to its gateway with the seeded users' API keys.

The run data (histograms per series, per phase and per interval; retries, late and dropped requests; the timeline) is written as JSON under --out.`
  static override examples = [
    '<%= config.bin %> bench steady --duration 20s',
    '<%= config.bin %> bench peak --rate 200 --seed 7',
    '<%= config.bin %> bench ./my-profile.yaml --target http://127.0.0.1:3000 --duration 1m',
    '<%= config.bin %> bench retry-storm --variant naive --out ./runs',
    '<%= config.bin %> bench soak --shard 2/4',
    '<%= config.bin %> bench steady --duration 1m --chaos kill:worker@20% --chaos restart:worker@50%',
    '<%= config.bin %> bench peak --chaos pause:projector@10s --chaos resume:projector@40s',
  ]
  static override args = {profile: Args.string({required: true, description: 'Profile name or path to a profile YAML file.'})}
  static override flags = {
    target: Flags.string({description: 'Base URL to send the requests to, instead of the stack gateway (any HTTP service).'}),
    duration: durationFlag({description: "The run's length; the curve and the timeline are compressed or stretched to it."}),
    rate: positiveNumber({helpValue: '<req/s>', description: 'Base rate in requests per second; every rate in the profile scales with it.'}),
    seed: Flags.integer({description: 'Seed of the schedule, request mix and variables (the same seed repeats the run exactly).'}),
    chaos: chaosFlag({
      multiple: true,
      description: 'Fault on a component of the local stack during the run: kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT) or restart it, at a share of the run or a time. Added to the profile timeline.',
    }),
    shard: shardFlag({description: 'Run share i of N of the profile (every N-th request), for distributed load.'}),
    'max-in-flight': Flags.integer({min: 1, description: 'Cap on requests in flight (default: two seconds of the peak rate).'}),
    variant: Flags.string({multiple: true, description: 'Run only the named variant(s).'}),
    out: Flags.directory({default: 'runs', description: 'Directory the run data JSON is written to.'}),
    stack: stackFlag,
  }

  async run(): Promise<BenchResult> {
    const {flags, args} = this
    const stack = await this.loadStack(flags.stack)
    const {findProfile} = await import('../lib/load/profile-loader.js')
    const found = await findProfile(stack, args.profile)
    const profile = flags.chaos?.length ? {...found, timeline: [...found.timeline, ...flags.chaos]} : found
    const {resolveBenchTarget} = await import('../lib/load/bench-target.js')
    const target = await resolveBenchTarget(stack, profile, flags.target)
    const {runBench} = await import('../lib/load/bench-run.js')
    const {isComponentFault} = await import('../lib/load/profile.js')
    const faultedComponents = profile.timeline.filter(isComponentFault).map((event) => event.component)
    const faults = faultedComponents.length > 0 ? await (await import('../lib/stack/component-faults.js')).ComponentFaults.open(stack, faultedComponents) : undefined
    const {writeRunData} = await import('../lib/load/run-file.js')
    const {formatRunSummary, sparkline} = await import('../lib/measure/summary-text.js')
    const reporter = await this.reporter()
    reporter.info(`bench ${profile.name} → ${target.url} (${target.reason})`)
    const controller = new AbortController()
    const onSignal = () => controller.abort()
    process.once('SIGINT', onSignal)
    const tasks = new Map<string, ReturnType<typeof reporter.task>>()
    const trends = new Map<string, number[]>()
    let run: LoadRunData
    try {
      run = await runBench({
        profile,
        targetUrl: target.url,
        ...(target.adminUrl ? {adminUrl: target.adminUrl} : {}),
        ...(faults ? {faults} : {}),
        users: target.users,
        scrapeUrls: target.scrapeUrls,
        overrides: {
          ...(flags.duration === undefined ? {} : {durationMs: flags.duration}),
          ...(flags.rate === undefined ? {} : {rate: flags.rate}),
          ...(flags.seed === undefined ? {} : {seed: flags.seed}),
          ...(flags['max-in-flight'] === undefined ? {} : {maxInFlight: flags['max-in-flight']}),
          ...(flags.variant ? {variants: flags.variant} : {}),
        },
        ...(flags.shard ? {shard: flags.shard} : {}),
        signal: controller.signal,
        onNote: (message) => reporter.info(message),
        onProgress: (progress) => {
          const label = progress.variants > 1 ? `${profile.name} · ${progress.variant}` : profile.name
          let task = tasks.get(label)
          if (!task) {
            for (const other of tasks.values()) other.succeed()
            task = reporter.task(label, {total: Math.round(progress.durationMs / 1000), unit: 's'})
            tasks.set(label, task)
          }
          const trend = [...(trends.get(label) ?? []), progress.p99].slice(-20)
          trends.set(label, trend)
          const errors = Object.entries(progress.errors).map(([name, count]) => `${name.replace('http', '')}:${count}`).join(',')
          task.update({
            done: Math.min(Math.round(progress.elapsedMs / 1000), Math.round(progress.durationMs / 1000)),
            status: progress.phase,
            metrics: {
              offered: `${Math.round(progress.offeredRate)}/s`,
              achieved: `${Math.round(progress.achievedRate)}/s`,
              'in-flight': progress.inFlight,
              p99: `${progress.p99.toFixed(1)}ms`,
              trend: sparkline(trend),
              errors: errors || '0',
              retries: progress.retries,
              ...(progress.late > 0 ? {late: progress.late} : {}),
              ...(progress.dropped > 0 ? {dropped: progress.dropped} : {}),
            },
          })
        },
      })
      for (const task of tasks.values()) task.succeed()
    } finally {
      process.off('SIGINT', onSignal)
      await reporter.close()
    }
    const file = await writeRunData(flags.out, run, flags.shard)
    this.print(formatRunSummary(run))
    this.print(`\nrun data written to ${file}`)
    return {file, run}
  }
}
