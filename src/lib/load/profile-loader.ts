// Reads a load profile and checks it completely — structure, durations, rates, templates, the
// timeline — reporting every problem at once as `file:line:col: message` (exit 2).
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import {metricUniverse, runMetrics, unavailableProblems} from './run-metrics.js'
import {readSlaTargets} from '../sla/targets.js'
import type {Stack} from '../stack/load-stack.js'
import {isFile} from '../host/file-stat.js'
import {displayPath} from '../text/display-path.js'
import {checkAgainstSchema} from '../yaml/schema-check.js'
import {sourceProblemsError, YamlSource, type SourceProblem} from '../yaml/source.js'
import {calibrationSchema, profileSchema, type Calibration, type LoadProfile} from './profile.js'
import {ProfileReader} from './profile-reader.js'

type Raw = Record<string, unknown>

/** Finds a profile by name in the stack's profiles directory, or reads the file a path names. */
export async function findProfile(stack: Stack, nameOrPath: string): Promise<LoadProfile> {
  const looksLikePath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)
  if (looksLikePath) return readProfile(path.resolve(nameOrPath))
  const dir = path.resolve(stack.dir, stack.manifest.profiles)
  for (const extension of ['.yaml', '.yml']) {
    const file = path.join(dir, `${nameOrPath}${extension}`)
    if (await isFile(file)) return readProfile(file)
  }
  const known = await listProfiles(stack)
  throw new StreamctlError('PROFILE_NOT_FOUND', `no profile "${nameOrPath}" in ${displayPath(dir)}`, {
    hint:
      known.length > 0
        ? `Profiles there: ${known.join(', ')}. Or pass the path of a profile file.`
        : 'Pass the path of a profile file.',
  })
}

export async function listProfiles(stack: Stack): Promise<string[]> {
  const dir = path.resolve(stack.dir, stack.manifest.profiles)
  const names = await readdir(dir).catch(() => [] as string[])
  return names
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => name.replace(/\.ya?ml$/, ''))
    .sort()
}

/** Reads every profile of the stack; one PROFILE_INVALID error lists the problems of all of them. */
export async function readAllProfiles(stack: Stack): Promise<LoadProfile[]> {
  const dir = path.resolve(stack.dir, stack.manifest.profiles)
  const byName = (name: string) => name.replace(/\.ya?ml$/, '')
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort((a, b) => (byName(a) < byName(b) ? -1 : byName(a) > byName(b) ? 1 : 0))
  const profiles: LoadProfile[] = []
  const problems: SourceProblem[] = []
  for (const name of files) {
    try {
      profiles.push(await readProfile(path.join(dir, name)))
    } catch (error) {
      if (!(error instanceof StreamctlError) || error.code !== 'PROFILE_INVALID') throw error
      problems.push(...(error.details as {problems: SourceProblem[]}).problems)
    }
  }
  if (problems.length > 0)
    throw sourceProblemsError(
      'PROFILE_INVALID',
      `the profiles in ${displayPath(dir)}`,
      problems,
      'Fix the lines above; `streamctl validate` checks them again.',
    )
  return profiles
}

export async function readProfile(file: string): Promise<LoadProfile> {
  const shown = displayPath(file)
  const source = await YamlSource.read(file, shown)
  const profile = parseProfile(source, path.basename(file).replace(/\.ya?ml$/, ''))
  const name = (source.value() as Raw).calibration
  return typeof name === 'string'
    ? {
        ...profile,
        calibration: await readCalibration(
          source,
          name,
          path.join(path.dirname(file), '..', 'calibrations', `${name}.yaml`),
        ),
      }
    : profile
}

/**
 * A profile's `calibration: NAME`: the file NAME.yaml in the `calibrations` directory beside the
 * profiles' (stacks/reference/calibrations/), checked as a profile is, every problem at once.
 */
async function readCalibration(profileSource: YamlSource, name: string, file: string): Promise<Calibration> {
  const shown = displayPath(file)
  if (!(await isFile(file))) {
    profileSource.report(['calibration'], `calibration: no calibration "${name}": ${shown} does not exist`)
    throw sourceProblemsError(
      'PROFILE_INVALID',
      profileSource.file,
      profileSource.problems,
      'Name a file of the calibrations directory beside the profiles (without .yaml).',
    )
  }
  const source = await YamlSource.read(file, shown)
  const raw = source.problems.length === 0 ? ((source.value() ?? {}) as Raw) : undefined
  if (raw === undefined || !checkAgainstSchema(source, raw, calibrationSchema) || source.problems.length > 0) {
    throw sourceProblemsError(
      'PROFILE_INVALID',
      shown,
      source.problems,
      'Fix the lines above: a calibration is `costs: {vectorSearchMs: 150, ...}` (README, StreamFlow).',
    )
  }
  return {
    name,
    file: shown,
    ...(typeof raw.description === 'string' ? {description: raw.description} : {}),
    costs: raw.costs as Calibration['costs'],
  }
}

/** Validates a parsed profile document; throws PROFILE_INVALID listing every problem. */
export function parseProfile(source: YamlSource, defaultName: string): LoadProfile {
  if (source.problems.length === 0) {
    const raw = (source.value() ?? {}) as Raw
    if (typeof raw !== 'object' || Array.isArray(raw))
      source.report([], 'a profile is a mapping of settings (rate, stages, requests, ...)')
    else {
      const structureOk = checkAgainstSchema(source, raw, profileSchema)
      const sla = raw.sla === undefined ? [] : readSlaTargets(source, raw.sla, ['sla'])
      if (structureOk) {
        const profile = new ProfileReader(source).read(raw, defaultName, sla)
        // The profile's own targets must be on metrics it produces (quota: when it runs against the stack).
        const run = runMetrics(profile.name, profile.requests, !profile.target)
        source.problems.push(...unavailableProblems(sla, run, metricUniverse(run.series), source.file))
        if (source.problems.length === 0) return profile
      } else {
        // The field-level checks still run on a broken structure so every problem is reported in
        // one pass; a value of the wrong shape can make them throw, which is then already reported.
        try {
          new ProfileReader(source).read(raw, defaultName, sla)
        } catch {
          // the structural problem that made it throw is already reported
        }
        dropSamePosition(source)
      }
    }
  }
  throw sourceProblemsError(
    'PROFILE_INVALID',
    source.file,
    source.problems,
    'Fix the lines above and run the bench again.',
  )
}

/** Keeps the first problem reported at each position (the structural one, before field checks). */
function dropSamePosition(source: YamlSource): void {
  const seen = new Set<string>()
  const kept = source.problems.filter((problem) => {
    const key = `${problem.line}:${problem.col}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  source.problems.splice(0, source.problems.length, ...kept)
}
