// Which SLA targets a bench is judged by: `--sla FILE` when given, else the profile's own `sla:`,
// else the stack manifest's default. Checked before any load is sent: a target the user wrote on a
// metric this run cannot produce is a usage error at its file:line; a default target the profile
// cannot exercise is left out and listed as not applicable; an open-model run is always judged on
// `dropped` too, so a run that sheds load never shows a clean percentile alone.
import path from 'node:path'
import type {LoadProfile} from '../load/profile.js'
import {listProfiles, readProfile} from '../load/profile-loader.js'
import type {Stack} from '../stack/load-stack.js'
import {displayPath} from '../text/display-path.js'
import {sourceProblemsError} from '../yaml/source.js'
import {
  availability,
  metricUniverse,
  runMetrics,
  unavailableProblems,
  unknownNameProblems,
} from '../load/run-metrics.js'
import {readSlaFile} from '../sla/sla-file.js'
import type {NotApplicableTarget, SlaTarget} from '../sla/targets.js'
import {parseThreshold} from '../sla/threshold.js'

export interface ChosenSla {
  targets: SlaTarget[]
  /** Where the targets came from, as shown beside the verdict. */
  source?: string
  notApplicable: NotApplicableTarget[]
}

export interface ChooseSlaOptions {
  /** The run goes to the stack (not a bare --target), so it has quota accounting when it sends generates. */
  stackRun: boolean
  /** Every metric name of the stack, when the caller has it already (`validate`, for each profile). */
  universe?: ReadonlySet<string>
}

export async function chooseSlaTargets(
  stack: Stack,
  profile: LoadProfile,
  slaFile: string | undefined,
  options: ChooseSlaOptions,
): Promise<ChosenSla> {
  const run = runMetrics(profile.name, profile.requests, options.stackRun)
  const explicit = slaFile ? await readSlaFile(slaFile) : profile.sla
  const named = [...stack.manifest.sla, ...explicit].map((target) => target.metric)
  const universe = options.universe ?? (await stackMetricUniverse(stack, run.series, named))
  // The manifest's defaults are checked whichever source wins, so a typo there never waits for the day it is used.
  checkManifestSla(stack, universe)
  let chosen: ChosenSla
  if (slaFile || profile.sla.length > 0) {
    const file = slaFile ? displayPath(path.resolve(slaFile)) : (profile.file ?? profile.name)
    const problems = unavailableProblems(explicit, run, universe, file)
    if (problems.length > 0)
      throw sourceProblemsError(slaFile ? 'SLA_FILE_INVALID' : 'PROFILE_INVALID', file, problems, UNJUDGEABLE_HINT)
    chosen = {targets: [...explicit], source: slaFile ? file : `profile ${profile.name}`, notApplicable: []}
  } else {
    const notApplicable: NotApplicableTarget[] = []
    const targets: SlaTarget[] = []
    for (const target of stack.manifest.sla) {
      const found = availability(target.metric, run, universe)
      if (found.available) targets.push(target)
      else notApplicable.push({metric: target.metric, threshold: target.threshold.source, reason: found.reason})
    }
    chosen = {
      targets,
      ...(stack.manifest.sla.length > 0 ? {source: `stack manifest ${stack.manifest.name}`} : {}),
      notApplicable,
    }
  }
  if (profile.model === 'open' && !chosen.targets.some((target) => target.metric === 'dropped'))
    chosen.targets = [...chosen.targets, droppedTarget()]
  return chosen
}

const UNJUDGEABLE_HINT =
  'Nothing was sent. Fix a misspelt name or threshold; drop a target this run cannot produce, or bench a profile (or the stack, not a --target) that produces it. `streamctl validate` checks without running anything.'

/** Throws MANIFEST_INVALID for a default target on a metric no run of the stack produces, or with an aggregate that does not fit it. */
export function checkManifestSla(stack: Stack, universe: ReadonlySet<string>): void {
  const file = displayPath(stack.file)
  const problems = unknownNameProblems(
    stack.manifest.sla,
    universe,
    `any profile of stack ${stack.manifest.name}`,
    file,
  )
  if (problems.length > 0) throw sourceProblemsError('MANIFEST_INVALID', file, problems, UNJUDGEABLE_HINT)
}

/**
 * Every metric name a target in this stack may use: built-in, run-wide, quota, `series`, and the
 * series of the stack's profiles. The profiles are read only when one of `named` is none of the
 * others (a custom series, or a typo), so a bench does not parse every profile to start.
 */
export async function stackMetricUniverse(
  stack: Stack,
  series: readonly string[] = [],
  named?: readonly string[],
): Promise<Set<string>> {
  const known = metricUniverse(series)
  if (named?.every((name) => known.has(name))) return known
  const dir = path.resolve(stack.dir, stack.manifest.profiles)
  const names = await listProfiles(stack)
  // Profile by profile: one that does not parse adds nothing here (`validate` and its own bench report it).
  const profiles = await Promise.all(
    names.map(
      (name) =>
        readProfile(path.join(dir, `${name}.yaml`))
          .catch(() => readProfile(path.join(dir, `${name}.yml`)))
          .catch(() => undefined), // neither file: the profile is listed without its targets
    ),
  )
  return metricUniverse([
    ...series,
    ...profiles.flatMap((profile) => (profile ? runMetrics(profile.name, profile.requests, true).series : [])),
  ])
}

/** The target every open-model run carries unless it names `dropped` itself: no request shed. */
export function droppedTarget(): SlaTarget {
  return {
    metric: 'dropped',
    threshold: parseThreshold('==0'),
    abortOnFail: false,
    delayAbortEvalMs: 0,
    allowNoData: false,
    allowInconclusive: false,
  }
}
