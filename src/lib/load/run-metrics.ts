// Which metrics an SLA target can name, and which of them a given run can produce. A target is
// judged only on evidence: a name no run could produce is a usage error before any load is sent
// (k6 used to skip such thresholds silently: its issues #961, #1346, #1526), and a default target
// that the chosen profile cannot exercise is left out and listed as not applicable.
import {BUILTIN_TEMPLATES, builtinTemplate, GENERATE_SERIES} from './reference-templates.js'
import {POLL_SERIES} from '../measure/run-data.js'
import type {RequestTemplateSpec} from './workload.js'
import {closestMatch} from '../text/suggest.js'
import type {SourceProblem} from '../yaml/source.js'
import type {SlaTarget} from '../sla/targets.js'

/** Run-wide figures a target can name besides a series. `error_rate` is `errors` by its PRODUCT.md name. */
export const RUN_METRICS = ['errors', 'error_rate', 'dropped', 'late', 'retries', 'amplification', 'goodput'] as const
export const QUOTA_METRICS = [
  'quota.drift',
  'quota.over_admitted',
  'quota.open_reservations',
  'quota.double_charged',
  'quota.estimate_error',
] as const
/** The series a polled request type (the generate flow) adds: its status polls and its end-to-end time. */

/** What one run can produce: its latency series, and whether it has quota accounting. */
export interface RunMetrics {
  /** The profile's name, for messages. */
  profile: string
  series: string[]
  /** The run sends generates to the stack, so the quota accounting is read after it. */
  quota: boolean
}

/** The metrics a run of a profile with these request types produces; `stackRun`: against the stack, not a bare --target. */
export function runMetrics(
  profile: string,
  requests: readonly Pick<RequestTemplateSpec, 'name' | 'metric' | 'poll'>[],
  stackRun: boolean,
): RunMetrics {
  const series = new Set<string>()
  for (const request of requests) {
    series.add(request.metric ?? request.name)
    if (request.poll) for (const name of POLL_SERIES) series.add(name)
  }
  return {profile, series: [...series], quota: stackRun && series.has(GENERATE_SERIES)}
}

/** Every metric the built-in request templates can produce, whatever the profile. */
export function builtinSeries(): string[] {
  return runMetrics('', BUILTIN_TEMPLATES.map(builtinTemplate), true).series
}

export type Availability = {available: true} | {available: false; known: boolean; reason: string}

/**
 * Whether `metric` has data in a run with `run`'s metrics. `known`: the name exists somewhere in
 * `universe` (so it is not a typo, only not produced by this run).
 */
export function availability(metric: string, run: RunMetrics, universe: ReadonlySet<string>): Availability {
  if (run.series.includes(metric) || (RUN_METRICS as readonly string[]).includes(metric)) return {available: true}
  if ((QUOTA_METRICS as readonly string[]).includes(metric)) {
    if (run.quota) return {available: true}
    const reason = run.series.includes(GENERATE_SERIES)
      ? 'the quota accounting is read only for a run against the stack, not a --target'
      : 'no quota accounting without generate requests'
    return {available: false, known: true, reason}
  }
  // status and e2e come from polling a generate to completion.
  if (metric === GENERATE_SERIES || (POLL_SERIES as readonly string[]).includes(metric))
    return {available: false, known: true, reason: `${run.profile} sends no generate requests`}
  if (universe.has(metric)) return {available: false, known: true, reason: `${run.profile} sends no ${metric} requests`}
  return {available: false, known: false, reason: unknownMetricMessage(metric, run, universe)}
}

/** Every name a target could use: the built-in series, run-wide figures, quota invariants and `extraSeries`. */
export function metricUniverse(extraSeries: Iterable<string>): Set<string> {
  return new Set([...builtinSeries(), ...extraSeries, ...RUN_METRICS, ...QUOTA_METRICS])
}

function unknownMetricMessage(metric: string, run: RunMetrics, universe: ReadonlySet<string>): string {
  const suggestion = closestMatch(metric, universe)
  const here = [...run.series, ...RUN_METRICS, ...(run.quota ? QUOTA_METRICS : [])]
  return `no metric "${metric}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; a run of ${run.profile} has ${here.join(', ')}`
}

/** Why a threshold's aggregate does not fit its metric (a latency aggregate on a count, say); undefined when it fits. */
export function aggregateProblem(target: Pick<SlaTarget, 'metric' | 'threshold'>): string | undefined {
  const {metric, threshold} = target
  const kind = threshold.aggregate.kind
  const written = threshold.source.replace(/\s+/g, '')
  if ((RUN_METRICS as readonly string[]).includes(metric) && !['amplification', 'goodput'].includes(metric)) {
    return ['rate', 'count', 'value'].includes(kind)
      ? undefined
      : `${metric} is a share or a count of requests, not a latency: write rate<1%, count<10 or ==0, not ${written}`
  }
  const single = metric === 'amplification' || metric === 'goodput' || metric.startsWith('quota.')
  if (single && !(kind === 'value' || (kind === 'rate' && metric === 'quota.estimate_error')))
    return `${metric} is one number for the run: write a bare comparison such as ${metric === 'goodput' ? '>100' : metric === 'amplification' ? '<1.5' : metric === 'quota.estimate_error' ? '<30%' : '==0'}, not ${written}`
  return undefined
}

/**
 * The problems of targets that `run` cannot judge, at their file:line: a metric it cannot produce
 * (a typo, with a suggestion, or a real metric of another kind of run), or an aggregate that does
 * not fit the metric.
 */
export function unavailableProblems(
  targets: readonly SlaTarget[],
  run: RunMetrics,
  universe: ReadonlySet<string>,
  file: string,
): SourceProblem[] {
  return targets.flatMap((target) => {
    const found = availability(target.metric, run, universe)
    const misfit = aggregateProblem(target)
    const message = !found.available ? (found.known ? `no data in this run: ${found.reason}` : found.reason) : misfit
    return message === undefined ? [] : [targetProblem(target, file, message)]
  })
}

/** A problem at the target's own line (the file's first, for a target streamctl added itself). */
function targetProblem(target: SlaTarget, file: string, message: string): SourceProblem {
  const at = target.at ?? {file, line: 1, col: 1}
  return {file: at.file, line: at.line, col: at.col, message: `sla.${target.metric}: ${message}`}
}

/** The problems of targets whose metric no run of the stack produces (typos), or whose aggregate does not fit it. */
export function unknownNameProblems(
  targets: readonly SlaTarget[],
  universe: ReadonlySet<string>,
  where: string,
  file: string,
): SourceProblem[] {
  return targets.flatMap((target) => {
    const suggestion = universe.has(target.metric) ? undefined : closestMatch(target.metric, universe)
    const message = universe.has(target.metric)
      ? aggregateProblem(target)
      : `no metric "${target.metric}" in ${where}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`
    return message === undefined ? [] : [targetProblem(target, file, message)]
  })
}
