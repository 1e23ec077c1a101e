// One bench from a profile name to written reports, shared by `bench` and `demo`: find the profile
// and add the --chaos events to its timeline, choose its SLA targets, resolve where the load goes,
// open the local stack's components for kill/pause/resume/restart events, run the session (with
// the quota accounting and the stack in the metadata when the load goes to the stack), then write
// the run record, the HTML report and the formats asked for (and, on GitHub Actions, the Markdown
// summary into the job summary).
import {BenchProgressView} from './progress-view.js'
import {resolveBenchTarget, type BenchTarget} from './target.js'
import type {BenchOptions} from './run.js'
import {findProfile} from '../load/profile-loader.js'
import {isComponentFault, type LoadProfile, type TimelineEventSpec} from '../load/profile.js'
import {runMetadata, type RunRecord} from '../report/run-record.js'
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import {
  runBaseName,
  defaultReportFiles,
  withStepSummary,
  writeReports,
  type ReportFile,
  type WrittenReport,
} from '../report/write-reports.js'
import {chooseSlaTargets, type ChosenSla} from './choose-targets.js'
import {DEFAULT_CAPACITY_PLAN, findCapacity, type CapacityPlan, type CapacityResult} from './capacity.js'
import {ComponentFaults} from '../stack/component-faults.js'
import type {Stack} from '../stack/load-stack.js'
import {stateDirFor} from '../stack/state-dir.js'
import {readState, type StackState} from '../stack/state.js'
import type {ProgressReporter} from '../ui/reporter.js'
import {runBenchSession} from './session.js'

export interface BenchRequest {
  /** A profile name in the stack's profiles directory, or the path of a profile YAML file. */
  profile: string
  /** Events added to the profile's timeline (`--chaos`). */
  chaos?: TimelineEventSpec[]
  /** SLA targets YAML replacing the profile's and the manifest's (`--sla`). */
  slaFile?: string
  /** Base URL to load instead of the profile's target or the stack's gateway (`--target`). */
  targetUrl?: string
  overrides?: BenchOptions['overrides']
  shard?: BenchOptions['shard']
  /** streamctl's version, for the run record's metadata. */
  version: string
  reports: ReportRequest
}

export interface ReportRequest {
  /** Directory the run record and, unless `html` is false, the HTML report are written to. */
  outDir: string
  html?: boolean
  /** Further reports, each to its own file. On GitHub Actions the Markdown summary is added for $GITHUB_STEP_SUMMARY unless one of these already goes there. */
  files?: ReportFile[]
}

export interface BenchContext {
  /** Receives the notes and one progress task per variant. */
  reporter: ProgressReporter
  signal?: AbortSignal
  /** The line that says what runs where; default `bench <profile> → <url> (<why this target>)`. */
  announce?: (profile: LoadProfile, target: BenchTarget) => string
  /**
   * Brings the stack to where the bench can run and returns its state (`demo`: up, then provision).
   * Runs once the profile and its SLA targets are known, so a missing profile fails before
   * anything starts, and before the target is resolved.
   */
  prepareStack?: () => Promise<StackState>
}

export interface BenchOutcome {
  record: RunRecord
  /** Every file written, the run record first. */
  reports: WrittenReport[]
}

export async function benchProfile(stack: Stack, request: BenchRequest, context: BenchContext): Promise<BenchOutcome> {
  const {session} = await prepareBench(stack, request, context)
  const record = await session(request.overrides)
  const {outDir, html = true, files = []} = request.reports
  const reports = await writeReports(record, withStepSummary([...defaultReportFiles(record, outDir, html), ...files]))
  return {record, reports}
}

export interface CapacityOutcome {
  result: CapacityResult
  /** Each step's run record, in the order they ran. */
  reports: WrittenReport[]
}

/**
 * `bench --find-capacity`: the same preparation, then one session per step at the step's base rate,
 * each step's run record written to --out as it ends. With a warm-up (the profile's or --warmup),
 * every step warms up at its own rate first, so what the step before it left behind (a backlog
 * from an overloaded step) is not measured.
 */
export async function findProfileCapacity(
  stack: Stack,
  request: BenchRequest,
  plan: Partial<CapacityPlan>,
  context: BenchContext,
): Promise<CapacityOutcome> {
  const {profile, session} = await prepareBench(stack, request, context, (profile, sla) => {
    if (profile.model !== 'open')
      throw new StreamctlError('INVALID_FLAG', `--find-capacity: profile "${profile.name}" is a closed model`, {
        hint: 'Capacity search steps the arrival rate; use an open-model profile (the default), e.g. steady.',
      })
    if (sla.targets.length === 0)
      throw new StreamctlError(
        'INVALID_FLAG',
        `--find-capacity: profile "${profile.name}" has no SLA targets to judge a step by`,
        {hint: "Give it targets with --sla FILE, or in the profile's `sla:`."},
      )
  })
  const reports: WrittenReport[] = []
  const startRate = plan.startRate ?? request.overrides?.rate ?? profile.rate
  const result = await findCapacity(
    profile.name,
    {...DEFAULT_CAPACITY_PLAN, startRate, ...plan},
    async (rate, stage) => {
      if (context.signal?.aborted) return undefined
      context.reporter.info(`capacity search: ${stage} step at ${rate} req/s`)
      const record = await session({...request.overrides, rate})
      if (context.signal?.aborted) return undefined
      const file = path.join(request.reports.outDir, `${runBaseName(record)}-${rate}rps.json`)
      reports.push(...(await writeReports(record, [{format: 'json', file}])))
      return {record, file}
    },
  )
  return {result, reports}
}

/**
 * Everything before the load: find the profile and add the --chaos events, choose its SLA targets
 * (`check` may refuse the run), bring the stack up when asked, resolve the target and open the
 * components to fault. Returns a function that runs one session with the given overrides.
 */
async function prepareBench(
  stack: Stack,
  request: BenchRequest,
  context: BenchContext,
  check?: (profile: LoadProfile, sla: ChosenSla) => void,
): Promise<{profile: LoadProfile; session: (overrides: BenchOptions['overrides']) => Promise<RunRecord>}> {
  const found = await findProfile(stack, request.profile)
  const profile = request.chaos?.length ? {...found, timeline: [...found.timeline, ...request.chaos]} : found
  // Before anything starts: a target on a metric this run cannot produce is a usage error now, not a pass later.
  const sla = await chooseSlaTargets(stack, profile, request.slaFile, {stackRun: !request.targetUrl && !profile.target})
  check?.(profile, sla)
  const prepared = await context.prepareStack?.()
  const target = await resolveBenchTarget(stack, profile, request.targetUrl)
  const faultedComponents = profile.timeline.filter(isComponentFault).map((event) => event.component)
  const faults = faultedComponents.length > 0 ? await ComponentFaults.open(stack, faultedComponents) : undefined
  // The load goes to the stack: its stores hold the quota accounting, its driver goes in the metadata.
  const state =
    prepared ?? (!request.targetUrl && !profile.target ? await readState(stateDirFor(stack.manifest.name)) : undefined)
  const {reporter} = context
  reporter.info(context.announce?.(profile, target) ?? `bench ${profile.name} → ${target.url} (${target.reason})`)
  const session = async (overrides: BenchOptions['overrides']) => {
    const view = new BenchProgressView(reporter, profile.name)
    const record = await runBenchSession({
      profile,
      targetUrl: target.url,
      ...(target.adminUrl ? {adminUrl: target.adminUrl} : {}),
      ...(target.adminToken ? {adminToken: target.adminToken} : {}),
      ...(target.adminTokenSource ? {adminTokenSource: target.adminTokenSource} : {}),
      ...(faults ? {faults} : {}),
      users: target.users,
      scrapeUrls: target.scrapeUrls,
      ...(overrides ? {overrides} : {}),
      ...(request.shard ? {shard: request.shard} : {}),
      ...(context.signal ? {signal: context.signal} : {}),
      onNote: (message) => reporter.info(message),
      onProgress: view.update,
      sla,
      meta: runMetadata(request.version, state ? {name: stack.manifest.name, driver: state.driver} : undefined),
      ...(state ? {quotaEndpoints: state.endpoints} : {}),
    })
    view.finish()
    return record
  }
  return {profile, session}
}
