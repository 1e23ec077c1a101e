// Structural validation of a YAML document against a JSON Schema, with every violation reported at
// the line and column of the offending field and in words a user understands.
import type {ErrorObject, Options, ValidateFunction} from 'ajv'
import {hash} from 'node:crypto'
import {readBuildOutput} from '../build-output.js'
import {newAjv} from './ajv.js'
import {closestMatch} from '../text/suggest.js'
import {formatPath, type PathSegment, type YamlSource} from './source.js'

export type JsonSchema = Record<string, unknown>

/** How every structural check validates, whether its validator was compiled at run time or by the build. */
export const SCHEMA_CHECK_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  allowUnionTypes: true,
} satisfies Options

/**
 * Written beside this module by `npm run build` (scripts/build/precompile-schemas.js): ajv's
 * standalone validators of streamctl's own schemas, exported under their `schemaKey`.
 */
export const PRECOMPILED_SCHEMAS_FILE = 'precompiled-schemas.cjs'

/** A schema's name among what the build compiled: a changed schema has a new one, so it never meets a stale validator. */
export function schemaKey(schema: unknown): string {
  return hash('sha1', JSON.stringify(schema))
}

let precompiled: Partial<Record<string, ValidateFunction>> | undefined

function precompiledValidators(): Partial<Record<string, ValidateFunction>> {
  precompiled ??= readBuildOutput(import.meta.url, PRECOMPILED_SCHEMAS_FILE) ?? {}
  return precompiled
}

const compiled = new WeakMap<JsonSchema, ValidateFunction>()

// Compiling the profile and manifest schemas costs ~150 ms of CPU, paid by every bench unless the build did it.
function compile(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = precompiledValidators()[schemaKey(schema)] ?? newAjv(SCHEMA_CHECK_OPTIONS).compile(schema)
    compiled.set(schema, validate)
  }
  return validate
}

/** Validates `value` (the data of `source`, or part of it at `basePath`) and reports into `source`. */
export function checkAgainstSchema(
  source: YamlSource,
  value: unknown,
  schema: JsonSchema,
  basePath: readonly PathSegment[] = [],
): boolean {
  const validate = compile(schema)
  if (validate(value)) return true
  const seen = new Set<string>()
  for (const error of validate.errors ?? []) {
    const path = [...basePath, ...pointerToPath(error.instancePath)]
    const {message, key, at} = describe(error, path)
    const problem = source.problemAt(at, message, {key})
    const id = `${problem.line}:${problem.col}:${problem.message}`
    if (seen.has(id)) continue
    seen.add(id)
    source.problems.push(problem)
  }
  return false
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment))
}

function describe(error: ErrorObject, path: PathSegment[]): {message: string; key?: boolean; at: PathSegment[]} {
  const field = formatPath(path)
  const prefix = field === '' ? '' : `${field}: `
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return {message: `${prefix}missing required field "${String(params.missingProperty)}"`, at: path}
    case 'additionalProperties': {
      const name = String(params.additionalProperty)
      const known = Object.keys(
        ((error.parentSchema as JsonSchema | undefined)?.properties as JsonSchema | undefined) ?? {},
      )
      const suggestion = closestMatch(name, known)
      const hint = suggestion
        ? ` (did you mean "${suggestion}"?)`
        : known.length > 0
          ? ` (expected one of: ${known.join(', ')})`
          : ''
      return {message: `${prefix}unknown field "${name}"${hint}`, at: [...path, name], key: true}
    }
    case 'type':
      return {message: `${prefix}expected ${article(String(params.type))}, got ${describeValue(error.data)}`, at: path}
    case 'enum':
      return {
        message: `${prefix}must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(error.data)}`,
        at: path,
      }
    case 'const':
      return {
        message: `${prefix}must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(error.data)}`,
        at: path,
      }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {message: `${prefix}${error.message ?? 'out of range'}, got ${describeValue(error.data)}`, at: path}
    case 'pattern':
      return {message: `${prefix}${describeValue(error.data)} does not match ${String(params.pattern)}`, at: path}
    case 'propertyNames':
      return {message: `${prefix}invalid name ${describeValue(params.propertyName)}`, at: path}
    default:
      return {message: `${prefix}${error.message ?? 'invalid value'}`, at: path}
  }
}

function article(type: string): string {
  const words: Record<string, string> = {
    integer: 'an integer',
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  }
  return type
    .split(',')
    .map((part) => words[part] ?? part)
    .join(' or ')
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`
  return String(value)
}
