import {Args, Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {durationFlag, rateFlag} from '../cli/flags.js'
import {ExitCode, StreamctlError} from '../lib/errors.js'
import type {TimelineEventSpec} from '../lib/load/profile.js'
import type {RunRecord} from '../lib/report/run-record.js'
import type {WrittenReport} from '../lib/report/write-reports.js'
import type {BenchRequest} from '../lib/bench/bench-profile.js'
import type {CapacityResult} from '../lib/bench/capacity.js'
import type {SlaFailedJson} from '../lib/sla/verdict-text.js'
import type {IJob} from 'kubernetes-models/batch/v1'

export interface CapacityJson {
  capacity: CapacityResult
  /** Each step's run record. */
  reports: WrittenReport[]
  /** Present when no step passed (exit 99). */
  error?: SlaFailedJson
}

export interface K8sJobJson {
  /** The Job's name: `report merge --k8s-job NAME` collects its shards. */
  job: string
  namespace?: string
  shards: number
  /** The seed every shard runs with. */
  seed: number
  /** True when it was created with kubectl; false for --render. */
  applied: boolean
  manifest: IJob
}

export interface BenchResult {
  /** Where the run record was written. */
  file: string
  /** Every file written: the run record, the HTML report and the formats asked for. */
  reports: WrittenReport[]
  run: RunRecord
  /** Present when the verdict failed (exit 99): the same shape as every `--json` error. */
  error?: SlaFailedJson
}

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
    if (!match || count < 1 || index < 1 || index > count)
      throw new StreamctlError('INVALID_FLAG', `--shard ${input}: expected i/N with 1 <= i <= N, e.g. 1/4`)
    return {index: index - 1, count}
  },
})

const reportFile = (description: string) => Flags.file({helpValue: '<file>', helpGroup: 'REPORTS', description})

export default class Bench extends StreamctlCommand<typeof Bench> {
  static override summary =
    'Run a load profile against the stack (or any HTTP target), judge it by its SLA targets and write the reports.'
  static override description = `Offers load as the profile describes — an open model by default, where every request has an intended start from the arrival curve and latency is measured from it (free of coordinated omission, as wrk2 does), or a closed model of virtual users — with the profile's request mix, client retry policy and timeline of faults and interventions. Variants (e.g. naive vs resilient clients) run back to back.

PROFILE is a name in the stack's profiles directory (peak, retry-storm, cache-storm, llm-ratelimit, peak-prioritisation, steady, spike, soak) or the path of a YAML file. Without --target the stack must be up and provisioned: requests go to its gateway with the seeded users' API keys, and after the run drains the quota accounting is read from PostgreSQL and Redis. Timeline events and variant switches go to the admin API with the stack's admin token (from \`up\`, in its state directory); an admin URL other than the stack's gateway (a profile's admin: with --target) gets STREAMCTL_ADMIN_TOKEN. A refused token stops the bench before any load (exit 1).

SLA targets come from --sla FILE, else the profile's sla:, else the stack manifest's. Any target failed exits 99; a target with abortOnFail stops the run as soon as it fails.

The run record (versioned JSON: histograms per series, per phase and per interval, retries, late and dropped requests, the timeline, server gauges, quota accounting, SLA verdict) and the HTML report are written under --out; other formats where their flags say. On GitHub Actions (CI and $GITHUB_STEP_SUMMARY set) the Markdown summary is also appended to the job summary, with or without --markdown. \`streamctl report\` renders a record again.`
  static override examples = [
    '<%= config.bin %> bench steady --duration 20s',
    '<%= config.bin %> bench peak --rate 200 --seed 7 --sla ./sla.yaml --junit sla.xml',
    '<%= config.bin %> bench steady --markdown summary.md --benchmark-json bench.json',
    '<%= config.bin %> bench ./my-profile.yaml --target http://127.0.0.1:3000 --duration 1m',
    '<%= config.bin %> bench retry-storm --variant naive --out ./runs',
    '<%= config.bin %> bench soak --shard 2/4',
    '<%= config.bin %> bench steady --k8s-job 4 --target http://gateway.streamflow.svc:8080 --image ghcr.io/acme/streamctl:0.1.0 --render',
    '<%= config.bin %> bench steady --duration 1m --chaos kill:worker@20% --chaos restart:worker@50%',
    '<%= config.bin %> bench peak --chaos pause:projector@10s --chaos resume:projector@40s',
  ]
  static override args = {
    profile: Args.string({required: true, description: 'Profile name or path to a profile YAML file.'}),
  }
  static override flags = {
    target: Flags.string({
      description: 'Base URL to send the requests to, instead of the stack gateway (any HTTP service).',
    }),
    duration: durationFlag({
      description: "The run's length; the curve and the timeline are compressed or stretched to it.",
    }),
    warmup: durationFlag({
      description:
        "Send the profile's requests for this long at the run's starting rate first, unrecorded (JIT, connections, cold caches); 0s for none. Default: the profile's warmup, else none.",
    }),
    rate: rateFlag({description: 'Base rate in requests per second; every rate in the profile scales with it.'}),
    seed: Flags.integer({
      description: 'Seed of the schedule, request mix and variables (the same seed repeats the run exactly).',
    }),
    chaos: chaosFlag({
      multiple: true,
      description:
        'Fault on a component of the local stack during the run: kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT) or restart it, at a share of the run or a time. Added to the profile timeline.',
    }),
    shard: shardFlag({
      description:
        'Run share i of N of the profile (every N-th request), for distributed load; combine with `report merge`.',
    }),
    'record-to-stdout': Flags.boolean({
      exclusive: ['json'],
      description:
        "After the report, print the run record to stdout between `--- streamctl run record begin … ---` and `--- streamctl run record end ---` lines (gzipped JSON, base64), where a pod's log carries it to `report merge --k8s-job`.",
    }),
    'k8s-job': Flags.integer({
      min: 1,
      helpGroup: 'KUBERNETES',
      exclusive: [
        'shard',
        'find-capacity',
        'chaos',
        'sla',
        'record-to-stdout',
        'html',
        'junit',
        'markdown',
        'hlog',
        'benchmark-json',
      ],
      description:
        'Run the bench as a Kubernetes Indexed Job of N pods, pod i running shard i+1/N with the same seed and printing its run record to its log; `report merge --k8s-job NAME` gives the one verdict. Needs --target (the gateway as the pods reach it). Creates the Job with kubectl in the current context, or prints it with --render.',
    }),
    image: Flags.string({
      helpGroup: 'KUBERNETES',
      dependsOn: ['k8s-job'],
      description:
        "The streamctl image the Job's pods run (default: streamctl:<this version>, built from the Dockerfile).",
    }),
    render: Flags.boolean({
      helpGroup: 'KUBERNETES',
      dependsOn: ['k8s-job'],
      description: 'Print the Job as YAML instead of creating it (for kubectl apply -f - or GitOps).',
    }),
    'job-name': Flags.string({
      helpGroup: 'KUBERNETES',
      dependsOn: ['k8s-job'],
      description: "The Job's name (default: bench-<profile>-<time>).",
    }),
    namespace: Flags.string({
      helpGroup: 'KUBERNETES',
      dependsOn: ['k8s-job'],
      description: "The Job's namespace (default: the kube context's).",
    }),
    'find-capacity': Flags.boolean({
      helpGroup: 'CAPACITY',
      exclusive: ['shard', 'variant', 'html', 'junit', 'markdown', 'hlog', 'benchmark-json'],
      description:
        'Find the highest base rate at which every SLA target passes: run the profile at doubling rates (from --rate, else its own) until a step fails, is inconclusive or has no data, then bisect to within 5%. Each step lasts --duration and writes its run record to --out.',
    }),
    'max-rate': rateFlag({
      helpGroup: 'CAPACITY',
      dependsOn: ['find-capacity'],
      description: 'The highest base rate a capacity search tries (default: no limit).',
    }),
    'max-in-flight': Flags.integer({
      min: 1,
      description: 'Cap on requests in flight (default: two seconds of the peak rate).',
    }),
    variant: Flags.string({multiple: true, description: 'Run only the named variant(s).'}),
    sla: Flags.file({
      helpValue: '<file>',
      description:
        "SLA targets YAML (metric: threshold, e.g. 'generate.accept: p(99)<100ms'); replaces the profile's and the manifest's.",
    }),
    out: Flags.directory({
      default: 'runs',
      description: 'Directory the run record and the HTML report are written to.',
    }),
    'no-html': Flags.boolean({helpGroup: 'REPORTS', description: 'Do not write the HTML report into --out.'}),
    html: reportFile('Also write the HTML report to this file.'),
    junit: reportFile('Write JUnit XML (one test case per SLA target) to this file.'),
    markdown: reportFile(
      'Write the Markdown summary to this file (appended when it is $GITHUB_STEP_SUMMARY). On GitHub Actions it is appended to $GITHUB_STEP_SUMMARY without this flag.',
    ),
    hlog: reportFile('Write the latency histograms as an HdrHistogram interval log (v1.3) to this file.'),
    'benchmark-json': reportFile("Write github-action-benchmark's customSmallerIsBetter JSON to this file."),
    stack: stackFlag,
  }

  async run(): Promise<BenchResult | CapacityJson | K8sJobJson> {
    const {flags} = this
    if (flags['find-capacity']) return this.findCapacity()
    if (flags['k8s-job'] !== undefined) return this.k8sJob(flags['k8s-job'])
    const stack = await this.loadStack(flags.stack)
    const {benchProfile} = await import('../lib/bench/bench-profile.js')
    const {renderTerminal} = await import('../lib/report/render-terminal.js')
    const {record, reports} = await this.withProgress((progress) => benchProfile(stack, this.benchRequest(), progress))
    this.print(renderTerminal(record, {width: this.terminalWidth}))
    this.print('')
    for (const report of reports)
      this.print(`${report.format === 'json' ? 'run record' : `${report.format} report`} written to ${report.file}`)
    if (flags['record-to-stdout']) {
      const {recordLogBlock} = await import('../lib/report/record-log.js')
      this.print(recordLogBlock(record))
    }
    if (!record.sla.passed) this.setExitCode(ExitCode.slaFailed)
    const {slaFailedJson} = await import('../lib/sla/verdict-text.js')
    return {file: reports[0]!.file, reports, run: record, ...slaFailedJson(record.sla, record.profile)}
  }

  private async findCapacity(): Promise<CapacityJson> {
    const {flags} = this
    const stack = await this.loadStack(flags.stack)
    const {findProfileCapacity} = await import('../lib/bench/bench-profile.js')
    const {renderCapacity} = await import('../lib/bench/capacity-text.js')
    const {result, reports} = await this.withProgress((progress) =>
      findProfileCapacity(
        stack,
        {...this.benchRequest(), reports: {outDir: flags.out, html: false}},
        flags['max-rate'] === undefined ? {} : {maxRate: flags['max-rate']},
        progress,
      ),
    )
    this.print(renderCapacity(result, this.terminalWidth))
    this.print('')
    for (const report of reports) this.print(`step run record written to ${report.file}`)
    if (result.capacity !== undefined) return {capacity: result, reports}
    this.setExitCode(ExitCode.slaFailed)
    const message =
      result.firstFailure === undefined
        ? `no capacity: the search was ${result.stoppedBy} before a step passed`
        : `no capacity: ${result.profile} did not pass at ${result.firstFailure} req/s`
    return {capacity: result, reports, error: {code: 'SLA_FAILED', message, exitCode: 99}}
  }

  /** `--k8s-job N`: the Indexed Job of N shards, printed (--render) or created with kubectl. */
  private async k8sJob(shards: number): Promise<K8sJobJson> {
    const {flags, args} = this
    const stack = await this.loadStack(flags.stack)
    const {planBenchJob} = await import('../lib/k8s/bench-job.js')
    const {name, seed, job} = await planBenchJob(stack, {
      profile: args.profile,
      shards,
      image: flags.image ?? `streamctl:${this.config.version}`,
      ...(flags['job-name'] ? {jobName: flags['job-name']} : {}),
      ...(flags.namespace ? {namespace: flags.namespace} : {}),
      ...(flags.target ? {targetUrl: flags.target} : {}),
      ...(flags.seed === undefined ? {} : {seed: flags.seed}),
      benchArgs: [
        ...(flags.stack ? ['--stack', flags.stack] : []),
        ...(flags.duration === undefined ? [] : ['--duration', `${flags.duration}ms`]),
        ...(flags.warmup === undefined ? [] : ['--warmup', `${flags.warmup}ms`]),
        ...(flags.rate === undefined ? [] : ['--rate', String(flags.rate)]),
        ...(flags['max-in-flight'] === undefined ? [] : ['--max-in-flight', String(flags['max-in-flight'])]),
        ...(flags.variant ?? []).flatMap((variant) => ['--variant', variant]),
      ],
    })
    const {stringify} = await import('yaml')
    const manifest = stringify(job, {lineWidth: 0})
    const result = {
      job: name,
      ...(flags.namespace ? {namespace: flags.namespace} : {}),
      shards,
      seed,
      applied: !flags.render,
      manifest: job,
    }
    if (flags.render) {
      this.print(manifest.trimEnd())
      return result
    }
    const {openKubectl} = await import('../lib/k8s/kubectl.js')
    const kubectl = await openKubectl()
    this.print((await kubectl.run(['apply', '--filename', '-'], manifest)).trimEnd())
    const scope = flags.namespace ? ` --namespace ${flags.namespace}` : ''
    this.print(`${shards} shards of ${args.profile} (seed ${seed}) started as job/${name}. When it completes:`)
    this.print(`  kubectl wait --for=condition=complete job/${name}${scope} --timeout=-1s`)
    this.print(`  streamctl report merge --k8s-job ${name}${scope}`)
    return result
  }

  /** The bench the flags ask for (a capacity search sets each step's rate and its own reports). */
  private benchRequest(): BenchRequest {
    const {flags, args} = this
    return {
      profile: args.profile,
      ...(flags.chaos ? {chaos: flags.chaos} : {}),
      ...(flags.sla ? {slaFile: flags.sla} : {}),
      ...(flags.target ? {targetUrl: flags.target} : {}),
      overrides: {
        ...(flags.duration === undefined ? {} : {durationMs: flags.duration}),
        ...(flags.warmup === undefined ? {} : {warmupMs: flags.warmup}),
        ...(flags.rate === undefined ? {} : {rate: flags.rate}),
        ...(flags.seed === undefined ? {} : {seed: flags.seed}),
        ...(flags['max-in-flight'] === undefined ? {} : {maxInFlight: flags['max-in-flight']}),
        ...(flags.variant ? {variants: flags.variant} : {}),
      },
      ...(flags.shard ? {shard: flags.shard} : {}),
      version: this.config.version,
      reports: {
        outDir: flags.out,
        html: !flags['no-html'],
        files: [
          ...(flags.html ? [{format: 'html' as const, file: flags.html}] : []),
          ...(flags.junit ? [{format: 'junit' as const, file: flags.junit}] : []),
          ...(flags.markdown ? [{format: 'markdown' as const, file: flags.markdown}] : []),
          ...(flags.hlog ? [{format: 'hlog' as const, file: flags.hlog}] : []),
          ...(flags['benchmark-json'] ? [{format: 'benchmark' as const, file: flags['benchmark-json']}] : []),
        ],
      },
    }
  }
}
