// The stack's event schemas (manifest `schemas:`), compiled once per process with the shared ajv
// settings. The gateway rejects events that fail them; the consumers skip records that fail them.
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import {newAjv} from '../yaml/ajv.js'

/** The part of a stack manifest that names its event schemas (manifest `schemas:`). */
export interface DeclaredSchemas {
  schemas: ReadonlyArray<{name: string; file: string}>
}

export interface EventValidator<T> {
  (value: unknown): value is T
  /** ajv's errors of the last failed check, as `field: message` lines. */
  problems(): string[]
}

/** The validator of the schema named `name` (e.g. `user-event`) in the stack's manifest. */
export async function loadEventValidator<T>(
  manifest: DeclaredSchemas,
  stackDir: string,
  name: string,
): Promise<EventValidator<T>> {
  const entry = manifest.schemas.find((schema) => schema.name === name)
  if (!entry)
    throw new StreamctlError('MANIFEST_INVALID', `the stack declares no event schema named "${name}"`, {
      hint: `Add it under schemas: in ${path.join(stackDir, 'stack.yaml')}.`,
    })
  const file = path.resolve(stackDir, entry.file)
  const schema = JSON.parse(await readFile(file, 'utf8')) as object
  const ajv = newAjv({allErrors: false, strict: false})
  const validate = ajv.compile<T>(schema)
  const check = ((value: unknown) => validate(value)) as EventValidator<T>
  check.problems = () => (validate.errors ?? []).map(describeProblem)
  return check
}

function describeProblem(error: {instancePath: string; message?: string; params: Record<string, unknown>}): string {
  const field = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : 'event'
  const detail = Array.isArray(error.params.allowedValues)
    ? ` (${error.params.allowedValues.join(', ')})`
    : typeof error.params.additionalProperty === 'string'
      ? ` (${error.params.additionalProperty})`
      : ''
  return `${field}: ${error.message ?? 'invalid'}${detail}`
}
