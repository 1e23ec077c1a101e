// Which SLA targets a bench is judged by: `--sla FILE` when given, else the profile's own `sla:`,
// else the stack manifest's default. Checked before any load is sent: a target the user wrote on a
// metric this run cannot produce is a usage error at its file:line; a default target the profile
// cannot exercise is left out and listed as not applicable; an open-model run is always judged on
// `dropped` too, so a run that sheds load never shows a clean percentile alone.
import path from 'node:path'
import {StreamctlError, type ErrorCode} from '../errors.js'
import type {LoadProfile} from '../load/profile.js'
import {readAllProfiles} from '../load/profile-loader.js'
import type {Stack} from '../stack/load-stack.js'
import {displayPath} from '../stack/load-stack.js'
import {sourceProblemsError} from '../yaml/source.js'
import {availability, metricUniverse, runMetrics, unavailableProblems, type RunMetrics} from './metrics.js'
import {readSlaFile} from './sla-file.js'
import type {SlaTarget} from './targets.js'
import {parseThreshold} from './threshold.js'

/** A default target left out of a run, and why. */
export interface NotApplicableTarget {
  metric: string
  threshold: string
  reason: string
}

export interface ChosenSla {
  targets: SlaTarget[]
  /** Where the targets came from, as shown beside the verdict. */
  source?: string
  notApplicable: NotApplicableTarget[]
}

export interface ChooseSlaOptions {
  /** The run goes to the stack (not a bare --target), so it has quota accounting when it sends generates. */
  stackRun: boolean
}

export async function chooseSlaTargets(stack: Stack, profile: LoadProfile, slaFile: string | undefined, options: ChooseSlaOptions): Promise<ChosenSla> {
  const run = runMetrics(profile.name, profile.requests, options.stackRun)
  const universe = await stackMetricUniverse(stack, run.series)
  // The manifest's defaults are checked for typos whichever source wins, so a typo there never waits for the day it is used.
  const typos = stack.manifest.sla.filter((target) => !universe.has(target.metric))
  if (typos.length > 0) throw unavailableError('MANIFEST_INVALID', displayPath(stack.file), typos, run, universe)
  let chosen: ChosenSla
  if (slaFile || profile.sla.length > 0) {
    const targets = slaFile ? await readSlaFile(slaFile) : profile.sla
    const file = slaFile ? displayPath(path.resolve(slaFile)) : (profile.file ?? profile.name)
    const unavailable = targets.filter((target) => !availability(target.metric, run, universe).available)
    if (unavailable.length > 0) throw unavailableError(slaFile ? 'SLA_FILE_INVALID' : 'PROFILE_INVALID', file, unavailable, run, universe)
    chosen = {targets, source: slaFile ? file : `profile ${profile.name}`, notApplicable: []}
  } else {
    const notApplicable: NotApplicableTarget[] = []
    const targets: SlaTarget[] = []
    for (const target of stack.manifest.sla) {
      const found = availability(target.metric, run, universe)
      if (found.available) targets.push(target)
      else notApplicable.push({metric: target.metric, threshold: target.threshold.source, reason: found.reason})
    }
    chosen = {targets, ...(stack.manifest.sla.length > 0 ? {source: `stack manifest ${stack.manifest.name}`} : {}), notApplicable}
  }
  if (profile.model === 'open' && !chosen.targets.some((target) => target.metric === 'dropped')) chosen.targets = [...chosen.targets, droppedTarget()]
  return chosen
}

/** Every metric name a target in this stack may use: built-in, run-wide, quota, and the series of its profiles. */
export async function stackMetricUniverse(stack: Stack, series: Iterable<string> = []): Promise<Set<string>> {
  // A profile that does not parse adds nothing here; `validate` and its own bench report it.
  const profiles = await readAllProfiles(stack).catch(() => [])
  return metricUniverse([...series, ...profiles.flatMap((profile) => runMetrics(profile.name, profile.requests, true).series)])
}

/** The target every open-model run carries unless it names `dropped` itself: no request shed. */
export function droppedTarget(): SlaTarget {
  return {metric: 'dropped', threshold: parseThreshold('==0'), abortOnFail: false, delayAbortEvalMs: 0, allowNoData: false, allowInconclusive: false}
}

function unavailableError(code: ErrorCode, file: string, targets: readonly SlaTarget[], run: RunMetrics, universe: ReadonlySet<string>): StreamctlError {
  const hint = 'Fix the metric names above (nothing was sent); `streamctl validate` checks the manifest and the profiles without running anything.'
  return sourceProblemsError(code, file, unavailableProblems(targets, run, universe, file), hint)
}
