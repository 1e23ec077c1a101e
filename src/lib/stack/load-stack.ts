// Loads a stack directory and validates everything its manifest refers to, reporting every problem
// at once as `file:line:col: message` so a user fixes them in one pass.
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {readBuildOutput} from '../build-output.js'
import {StreamctlError} from '../errors.js'
import {isDirectory, isFile} from '../host/file-stat.js'
import {displayPath} from '../text/display-path.js'
import {newAjv} from '../yaml/ajv.js'
import {readSlaTargets} from '../sla/targets.js'
import {checkAgainstSchema, schemaKey} from '../yaml/schema-check.js'
import {
  formatPath,
  linePosition,
  sourceProblemsError,
  YamlSource,
  type PathSegment,
  type SourceProblem,
} from '../yaml/source.js'
import {manifestSchema, type Component, type StackManifest} from './manifest.js'

export const MANIFEST_FILE = 'stack.yaml'
export const MIGRATION_FILE = /^(\d+)_([a-z0-9_]+)\.sql$/

export interface Stack {
  /** Absolute path of the stack directory. */
  dir: string
  /** Absolute path of its stack.yaml. */
  file: string
  manifest: StackManifest
}

export async function loadStack(dir: string): Promise<Stack> {
  const absoluteDir = path.resolve(dir)
  const file = path.join(absoluteDir, MANIFEST_FILE)
  const shown = displayPath(file)
  if (!(await isFile(file))) {
    throw new StreamctlError('STACK_NOT_FOUND', `no ${MANIFEST_FILE} in ${displayPath(absoluteDir)}`, {
      hint: 'Pass --stack DIR (or set STREAMCTL_STACK) to a directory holding a stack.yaml, or copy stacks/reference as a starting point.',
    })
  }
  const source = await YamlSource.read(file, shown)
  const problems = source.problems
  if (problems.length === 0) {
    const raw = source.value()
    const structureOk = checkAgainstSchema(source, raw, manifestSchema)
    // SLA thresholds have their own schema and parser, so their problems are reported even when
    // the rest of the structure is broken.
    const slaRaw = (raw as {sla?: unknown} | null)?.sla
    const sla = slaRaw === undefined || typeof raw !== 'object' ? [] : readSlaTargets(source, slaRaw, ['sla'])
    if (structureOk) {
      const manifest = {...normalise(raw as RawManifest), sla}
      checkReferences(source, manifest)
      problems.push(...(await checkFiles(absoluteDir, source, manifest)))
      if (problems.length === 0) return {dir: absoluteDir, file, manifest}
    }
  }
  throw manifestInvalid(shown, problems)
}

export function manifestInvalid(file: string, problems: SourceProblem[]): StreamctlError {
  return sourceProblemsError(
    'MANIFEST_INVALID',
    file,
    problems,
    'Fix the lines above; `streamctl validate` checks the stack again without starting anything.',
  )
}

type RawManifest = Omit<
  StackManifest,
  'components' | 'sla' | 'queues' | 'topics' | 'schemas' | 'quotas' | 'migrations' | 'profiles'
> & {
  components: Record<string, Partial<Component> & Pick<Component, 'kind' | 'port'>>
  topics: Array<{
    name: string
    partitions: number
    replication?: number
    configs?: Record<string, unknown>
    valueSchema?: string
  }>
  schemas?: StackManifest['schemas']
  queues: Array<{
    name: string
    durable?: boolean
    maxPriority?: number
    deadLetterQueue?: string
    messageTtl?: number
    mode?: 'default' | 'lazy'
    version?: 1 | 2
  }>
  quotas: {
    tiers: Array<Omit<StackManifest['quotas']['tiers'][number], 'priority'> & {priority?: number}>
    seed?: {users: number; mix: Record<string, number>; seed?: number}
  }
  sla?: unknown
  migrations?: string
  profiles?: string
}

/** Fills in defaults so the rest of streamctl never has to. */
function normalise(raw: RawManifest): Omit<StackManifest, 'sla'> {
  const stringify = (values: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]))
  return {
    apiVersion: raw.apiVersion,
    name: raw.name,
    ...(raw.description === undefined ? {} : {description: raw.description}),
    components: Object.entries(raw.components).map(([name, spec]) => ({
      ...spec,
      name,
      ports: spec.ports ?? {},
      health: spec.health ?? '/readyz',
      env: stringify(spec.env),
      dependsOn: spec.dependsOn ?? [],
      ...(spec.kind === 'service' ? {service: spec.service ?? name} : {}),
    })),
    topics: raw.topics.map((topic) => ({
      ...topic,
      replication: topic.replication ?? 1,
      configs: stringify(topic.configs),
    })),
    schemas: raw.schemas ?? [],
    migrations: raw.migrations ?? 'migrations',
    queues: raw.queues.map(({messageTtl, ...queue}) => ({
      ...queue,
      durable: queue.durable ?? true,
      maxPriority: queue.maxPriority ?? 0,
      ...(messageTtl === undefined ? {} : {messageTtlMs: messageTtl}),
    })),
    quotas: {
      tiers: raw.quotas.tiers.map((tier) => ({...tier, priority: tier.priority ?? 0})),
      seed: {users: raw.quotas.seed?.users ?? 0, mix: raw.quotas.seed?.mix ?? {}, seed: raw.quotas.seed?.seed ?? 1},
    },
    profiles: raw.profiles ?? 'profiles',
  }
}

/** Cross-references inside the manifest: names that must exist, be unique, or not form cycles. */
function checkReferences(source: YamlSource, manifest: StackManifest): void {
  const components = new Map(manifest.components.map((component) => [component.name, component]))
  const ports = new Map<number, string>()
  for (const component of manifest.components) {
    for (const [label, port] of [['port', component.port], ...Object.entries(component.ports)] as Array<
      [string, number]
    >) {
      const owner = ports.get(port)
      const at =
        label === 'port' ? ['components', component.name, 'port'] : ['components', component.name, 'ports', label]
      if (owner) field(source, at, `port ${port} is already used by ${owner}`)
      else ports.set(port, `${component.name}.${label}`)
    }
    component.dependsOn.forEach((dependency, index) => {
      if (!components.has(dependency))
        field(source, ['components', component.name, 'dependsOn', index], `unknown component "${dependency}"`)
    })
  }
  const cycle = findCycle(manifest.components)
  if (cycle) field(source, ['components', cycle[0]!, 'dependsOn'], `dependency cycle: ${cycle.join(' -> ')}`)

  const schemaNames = new Set(manifest.schemas.map((schema) => schema.name))
  reportDuplicates(
    source,
    manifest.schemas.map((schema) => schema.name),
    'schemas',
    'schema',
  )
  reportDuplicates(
    source,
    manifest.topics.map((topic) => topic.name),
    'topics',
    'topic',
  )
  manifest.topics.forEach((topic, index) => {
    if (topic.valueSchema && !schemaNames.has(topic.valueSchema)) {
      field(
        source,
        ['topics', index, 'valueSchema'],
        `unknown schema "${topic.valueSchema}" (declared: ${[...schemaNames].join(', ') || 'none'})`,
      )
    }
  })

  const queueNames = new Set(manifest.queues.map((queue) => queue.name))
  reportDuplicates(
    source,
    manifest.queues.map((queue) => queue.name),
    'queues',
    'queue',
  )
  manifest.queues.forEach((queue, index) => {
    if (queue.deadLetterQueue === undefined) return
    if (queue.deadLetterQueue === queue.name)
      field(source, ['queues', index, 'deadLetterQueue'], 'a queue cannot be its own dead-letter queue')
    else if (!queueNames.has(queue.deadLetterQueue))
      field(
        source,
        ['queues', index, 'deadLetterQueue'],
        `unknown queue "${queue.deadLetterQueue}"; declare it under queues`,
      )
  })

  const tierNames = new Set(manifest.quotas.tiers.map((tier) => tier.name))
  reportDuplicates(
    source,
    manifest.quotas.tiers.map((tier) => tier.name),
    ['quotas', 'tiers'],
    'tier',
  )
  manifest.quotas.tiers.forEach((tier, index) => {
    for (const unit of ['requests', 'tokens'] as const) {
      if (tier.daily[unit] > tier.monthly[unit]) {
        field(
          source,
          ['quotas', 'tiers', index, 'daily', unit],
          `daily ${unit} (${tier.daily[unit]}) exceed monthly ${unit} (${tier.monthly[unit]})`,
        )
      }
    }
  })
  for (const tier of Object.keys(manifest.quotas.seed.mix)) {
    if (!tierNames.has(tier)) field(source, ['quotas', 'seed', 'mix', tier], `unknown tier "${tier}"`, {key: true})
  }
}

/** Reports a problem prefixed with the field's path, e.g. `queues[1].deadLetterQueue: …`. */
function field(source: YamlSource, at: PathSegment[], message: string, options: {key?: boolean} = {}): void {
  source.report(at, `${formatPath(at)}: ${message}`, options)
}

function reportDuplicates(source: YamlSource, names: string[], at: string | string[], what: string): void {
  const seen = new Set<string>()
  names.forEach((name, index) => {
    if (seen.has(name)) field(source, [...[at].flat(), index, 'name'], `duplicate ${what} "${name}"`)
    seen.add(name)
  })
}

function findCycle(components: Component[]): string[] | undefined {
  const byName = new Map(components.map((component) => [component.name, component]))
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name]
    state.set(name, 'visiting')
    stack.push(name)
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(dependency)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(name, 'done')
    return undefined
  }
  for (const component of components) {
    const cycle = visit(component.name)
    if (cycle) return cycle
  }
  return undefined
}

/** Files and directories the manifest names: event schemas, migrations, profiles. */
async function checkFiles(dir: string, source: YamlSource, manifest: StackManifest): Promise<SourceProblem[]> {
  const problems: SourceProblem[] = []
  for (const [index, schema] of manifest.schemas.entries()) {
    const file = path.resolve(dir, schema.file)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      problems.push(
        source.problemAt(['schemas', index, 'file'], `schema file ${schema.file} not found in ${displayPath(dir)}`),
      )
      continue
    }
    const problem = checkJsonSchema(displayPath(file), text)
    if (problem) problems.push(problem)
  }

  const migrationsDir = path.resolve(dir, manifest.migrations)
  if (!(await isDirectory(migrationsDir))) {
    problems.push(
      source.problemAt(['migrations'], `migrations directory ${manifest.migrations} not found in ${displayPath(dir)}`),
    )
  } else {
    const versions = new Map<number, string>()
    for (const name of (await readdir(migrationsDir)).sort()) {
      if (!name.endsWith('.sql')) continue
      const match = MIGRATION_FILE.exec(name)
      const shown = displayPath(path.join(migrationsDir, name))
      if (!match) {
        problems.push({
          file: shown,
          line: 1,
          col: 1,
          message: 'migration files are named NNNN_description.sql (digits, underscore, lowercase words)',
        })
        continue
      }
      const version = Number(match[1])
      const other = versions.get(version)
      if (other)
        problems.push({file: shown, line: 1, col: 1, message: `migration version ${version} is also used by ${other}`})
      versions.set(version, name)
    }
  }

  if (!(await isDirectory(path.resolve(dir, manifest.profiles)))) {
    problems.push(
      source.problemAt(['profiles'], `profiles directory ${manifest.profiles} not found in ${displayPath(dir)}`),
    )
  }
  return problems
}

/** A JSON Schema file must be valid JSON and a schema ajv can compile. */
function checkJsonSchema(file: string, text: string): SourceProblem | undefined {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const offset = /position (\d+)/.exec((error as Error).message)?.[1]
    const {line, col} = linePosition(text, offset === undefined ? 0 : Number(offset))
    return {
      file,
      line,
      col,
      message: `invalid JSON: ${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}`,
    }
  }
  const problem = compiledByBuild().has(schemaKey(json)) ? undefined : jsonSchemaProblem(json)
  return problem === undefined ? undefined : {file, line: 1, col: 1, message: `not a usable JSON Schema: ${problem}`}
}

/** Why ajv cannot compile `json`, if it cannot. */
export function jsonSchemaProblem(json: unknown): string | undefined {
  try {
    newAjv({strict: false}).compile(json as object)
  } catch (error) {
    return (error as Error).message
  }
  return undefined
}

/**
 * Written beside this module by `npm run build` (scripts/build/precompile-schemas.js): the
 * `schemaKey` of each reference stack event schema that ajv compiled without a word. A stack using
 * them unchanged is checked without loading ajv and compiling them again (~70 ms of CPU).
 */
export const COMPILED_EVENT_SCHEMAS_FILE = 'compiled-event-schemas.json'

let compiledEventSchemas: Set<string> | undefined

function compiledByBuild(): Set<string> {
  compiledEventSchemas ??= new Set(readBuildOutput<string[]>(import.meta.url, COMPILED_EVENT_SCHEMAS_FILE))
  return compiledEventSchemas
}
