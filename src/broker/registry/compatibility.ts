// Compatibility of JSON Schemas under the registry's levels. A practical subset of Confluent's
// JSON Schema rules, over object schemas: a reader is compatible with a writer when every value
// the writer may produce is one the reader accepts, judged on required properties, property
// presence under closed content models, types, enums and nested objects/arrays.

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number]

type Schema = Record<string, unknown> | boolean

/** Reasons `reader` cannot read everything `writer` allows; empty when it can. */
export function readProblems(reader: Schema, writer: Schema, at = '#'): string[] {
  if (reader === true || writer === false) return []
  if (reader === false) return [`${at}: reader rejects everything`]
  if (writer === true)
    return Object.keys(reader).some(
      (key) => key !== '$schema' && key !== '$id' && key !== 'title' && key !== 'description',
    )
      ? [`${at}: writer allows anything, reader constrains it`]
      : []
  const problems: string[] = []
  const readerTypes = typesOf(reader)
  const writerTypes = typesOf(writer)
  if (readerTypes && writerTypes) {
    for (const type of writerTypes) {
      if (!readerTypes.has(type) && !(type === 'integer' && readerTypes.has('number')))
        problems.push(`${at}: type ${type} written, reader accepts ${[...readerTypes].join('|')}`)
    }
  } else if (readerTypes && !writerTypes) {
    problems.push(`${at}: reader restricts type to ${[...readerTypes].join('|')}, writer does not`)
  }
  if (Array.isArray(reader.enum)) {
    const allowed = new Set(reader.enum.map((value) => JSON.stringify(value)))
    const written = Array.isArray(writer.enum) ? writer.enum : undefined
    if (!written) problems.push(`${at}: reader has an enum, writer does not`)
    else
      for (const value of written)
        if (!allowed.has(JSON.stringify(value)))
          problems.push(`${at}: enum value ${JSON.stringify(value)} written, reader does not accept it`)
  }
  const readerProps = (reader.properties ?? {}) as Record<string, Schema>
  const writerProps = (writer.properties ?? {}) as Record<string, Schema>
  const writerRequired = new Set((writer.required ?? []) as string[])
  for (const name of (reader.required ?? []) as string[]) {
    if (!writerRequired.has(name))
      problems.push(`${at}/properties/${name}: required by the reader, optional or absent for the writer`)
  }
  const readerOpen = reader.additionalProperties !== false
  const writerOpen = writer.additionalProperties !== false
  for (const [name, writerProp] of Object.entries(writerProps)) {
    const readerProp = readerProps[name]
    if (readerProp === undefined) {
      if (!readerOpen)
        problems.push(`${at}/properties/${name}: written, but the reader does not allow additional properties`)
      continue
    }
    problems.push(...readProblems(readerProp, writerProp, `${at}/properties/${name}`))
  }
  if (!readerOpen && writerOpen) problems.push(`${at}: the writer allows additional properties, the reader does not`)
  if (reader.items !== undefined && writer.items !== undefined)
    problems.push(...readProblems(reader.items as Schema, writer.items as Schema, `${at}/items`))
  return problems
}

function typesOf(schema: Record<string, unknown>): Set<string> | undefined {
  if (typeof schema.type === 'string') return new Set([schema.type])
  if (Array.isArray(schema.type)) return new Set(schema.type as string[])
  return undefined
}

/**
 * Problems registering `candidate` after `previous` (oldest first) under `level`. BACKWARD: the
 * new schema reads data written with the last one; FORWARD: the last one reads the new data;
 * FULL: both; *_TRANSITIVE: against every earlier version.
 */
export function compatibilityProblems(level: CompatibilityLevel, candidate: Schema, previous: Schema[]): string[] {
  if (level === 'NONE' || previous.length === 0) return []
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1)
  const base = level.replace('_TRANSITIVE', '')
  const problems: string[] = []
  for (const old of against) {
    if (base === 'BACKWARD' || base === 'FULL')
      problems.push(...readProblems(candidate, old).map((problem) => `backward: ${problem}`))
    if (base === 'FORWARD' || base === 'FULL')
      problems.push(...readProblems(old, candidate).map((problem) => `forward: ${problem}`))
  }
  return problems
}
