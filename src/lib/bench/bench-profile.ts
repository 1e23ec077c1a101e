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
import {
  defaultReportFiles,
  withStepSummary,
  writeReports,
  type ReportFile,
  type WrittenReport,
} from '../report/write-reports.js'
import {chooseSlaTargets} from './choose-targets.js'
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
  const found = await findProfile(stack, request.profile)
  const profile = request.chaos?.length ? {...found, timeline: [...found.timeline, ...request.chaos]} : found
  // Before anything starts: a target on a metric this run cannot produce is a usage error now, not a pass later.
  const sla = await chooseSlaTargets(stack, profile, request.slaFile, {stackRun: !request.targetUrl && !profile.target})
  const prepared = await context.prepareStack?.()
  const target = await resolveBenchTarget(stack, profile, request.targetUrl)
  const faultedComponents = profile.timeline.filter(isComponentFault).map((event) => event.component)
  const faults = faultedComponents.length > 0 ? await ComponentFaults.open(stack, faultedComponents) : undefined
  // The load goes to the stack: its stores hold the quota accounting, its driver goes in the metadata.
  const state =
    prepared ?? (!request.targetUrl && !profile.target ? await readState(stateDirFor(stack.manifest.name)) : undefined)
  const {reporter} = context
  reporter.info(context.announce?.(profile, target) ?? `bench ${profile.name} → ${target.url} (${target.reason})`)
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
    ...(request.overrides ? {overrides: request.overrides} : {}),
    ...(request.shard ? {shard: request.shard} : {}),
    ...(context.signal ? {signal: context.signal} : {}),
    onNote: (message) => reporter.info(message),
    onProgress: view.update,
    sla,
    meta: runMetadata(request.version, state ? {name: stack.manifest.name, driver: state.driver} : undefined),
    ...(state ? {quotaEndpoints: state.endpoints} : {}),
  })
  view.finish()
  const {outDir, html = true, files = []} = request.reports
  const reports = await writeReports(record, withStepSummary([...defaultReportFiles(record, outDir, html), ...files]))
  return {record, reports}
}
