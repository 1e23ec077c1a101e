// The registry's state: globally numbered schemas, subjects with their versions, and
// compatibility config. Persisted as one JSON file, replaced atomically (write, fsync, rename)
// after every change, so a crash leaves either the old or the new state.
import {open, readFile, rename} from 'node:fs/promises'
import path from 'node:path'
import {COMPATIBILITY_LEVELS, compatibilityProblems, type CompatibilityLevel} from './compatibility.js'
import {RegistryError} from './errors.js'

export interface SchemaRecord {
  id: number
  schemaType: 'JSON'
  /** The schema as registered (a JSON document in a string, as the REST API carries it). */
  schema: string
  /** Key-sorted JSON of the schema: two registrations of the same schema share an id. */
  canonical: string
}

export interface SubjectVersion {
  version: number
  id: number
  deleted: boolean
}

interface State {
  nextId: number
  schemas: SchemaRecord[]
  subjects: Record<string, SubjectVersion[]>
  globalCompatibility: CompatibilityLevel
  subjectCompatibility: Record<string, CompatibilityLevel>
}

export const STATE_FILE = '_schema-registry.json'

export class RegistryStore {
  private state: State = {
    nextId: 1,
    schemas: [],
    subjects: {},
    globalCompatibility: 'BACKWARD',
    subjectCompatibility: {},
  }
  private readonly file: string | undefined
  private writing: Promise<void> = Promise.resolve()

  /** `dataDir` undefined keeps everything in memory. */
  constructor(dataDir?: string) {
    this.file = dataDir ? path.join(dataDir, STATE_FILE) : undefined
  }

  async load(): Promise<void> {
    if (!this.file) return
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    if (text !== undefined) this.state = JSON.parse(text) as State
  }

  subjects(includeDeleted = false): string[] {
    return Object.entries(this.state.subjects)
      .filter(([, versions]) => includeDeleted || versions.some((version) => !version.deleted))
      .map(([subject]) => subject)
      .sort()
  }

  versions(subject: string): number[] {
    return this.liveVersions(subject).map((version) => version.version)
  }

  schemaById(id: number): SchemaRecord {
    const record = this.state.schemas.find((schema) => schema.id === id)
    if (!record) throw new RegistryError('schemaNotFound')
    return record
  }

  version(subject: string, version: string): SubjectVersion & {subject: string; schema: SchemaRecord} {
    const live = this.liveVersions(subject)
    let found: SubjectVersion | undefined
    if (version === 'latest' || version === '-1') found = live.at(-1)
    else {
      if (!/^\d+$/.test(version) || Number(version) < 1) throw new RegistryError('invalidVersion')
      found = live.find((candidate) => candidate.version === Number(version))
    }
    if (!found) throw new RegistryError('versionNotFound')
    return {...found, subject, schema: this.schemaById(found.id)}
  }

  /** The version of `subject` holding this schema, if it is registered there. */
  lookup(subject: string, schema: string): (SubjectVersion & {subject: string; schema: SchemaRecord}) | undefined {
    const canonical = canonicalise(schema)
    const match = this.existingVersions(subject).find((version) => this.schemaById(version.id).canonical === canonical)
    return match ? {...match, subject, schema: this.schemaById(match.id)} : undefined
  }

  /** Registers a schema under a subject (idempotent), checking compatibility first. */
  async register(subject: string, schema: string): Promise<{id: number; version: number}> {
    const existing = this.lookup(subject, schema)
    if (existing) return {id: existing.id, version: existing.version}
    const parsed = parseSchema(schema)
    const live = this.existingVersions(subject)
    const problems = compatibilityProblems(
      this.compatibility(subject),
      parsed,
      live.map((version) => JSON.parse(this.schemaById(version.id).schema) as Record<string, unknown>),
    )
    if (problems.length > 0) throw new RegistryError('incompatible', problems.join('; '))
    const canonical = canonicalise(schema)
    let record = this.state.schemas.find((candidate) => candidate.canonical === canonical)
    if (!record) {
      record = {id: this.state.nextId++, schemaType: 'JSON', schema, canonical}
      this.state.schemas.push(record)
    }
    const versions = (this.state.subjects[subject] ??= [])
    const version = (versions.at(-1)?.version ?? 0) + 1
    versions.push({version, id: record.id, deleted: false})
    await this.persist()
    return {id: record.id, version}
  }

  /** Problems `schema` would have against the given version under the subject's level. */
  compatibilityWith(subject: string, version: string, schema: string): string[] {
    const target = this.version(subject, version)
    return compatibilityProblems(this.compatibility(subject), parseSchema(schema), [
      JSON.parse(target.schema.schema) as Record<string, unknown>,
    ])
  }

  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    const versions = this.state.subjects[subject]
    if (!versions || (!permanent && versions.every((version) => version.deleted)))
      throw new RegistryError('subjectNotFound')
    const deleted = versions.filter((version) => permanent || !version.deleted).map((version) => version.version)
    if (permanent) delete this.state.subjects[subject]
    else for (const version of versions) version.deleted = true
    await this.persist()
    return deleted
  }

  compatibility(subject?: string): CompatibilityLevel {
    return (subject && this.state.subjectCompatibility[subject]) || this.state.globalCompatibility
  }

  subjectCompatibility(subject: string): CompatibilityLevel | undefined {
    return this.state.subjectCompatibility[subject]
  }

  async setCompatibility(level: string, subject?: string): Promise<CompatibilityLevel> {
    const upper = level.toUpperCase()
    if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(upper))
      throw new RegistryError('invalidCompatibility', `Use one of ${COMPATIBILITY_LEVELS.join(', ')}.`)
    if (subject) this.state.subjectCompatibility[subject] = upper as CompatibilityLevel
    else this.state.globalCompatibility = upper as CompatibilityLevel
    await this.persist()
    return upper as CompatibilityLevel
  }

  private liveVersions(subject: string): SubjectVersion[] {
    const versions = this.existingVersions(subject)
    if (versions.length === 0) throw new RegistryError('subjectNotFound')
    return versions
  }

  private existingVersions(subject: string): SubjectVersion[] {
    return (this.state.subjects[subject] ?? []).filter((version) => !version.deleted)
  }

  private persist(): Promise<void> {
    const file = this.file
    if (!file) return Promise.resolve()
    const snapshot = JSON.stringify(this.state)
    // Writes are serialised so an older snapshot can never overwrite a newer one.
    this.writing = this.writing.then(async () => {
      const temporary = `${file}.tmp`
      const handle = await open(temporary, 'w')
      try {
        await handle.writeFile(snapshot)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, file)
    })
    return this.writing
  }
}

function parseSchema(schema: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(schema)
  } catch (error) {
    throw new RegistryError('invalidSchema', (error as Error).message)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RegistryError('invalidSchema', 'A JSON Schema must be an object.')
  return parsed as Record<string, unknown>
}

export function canonicalise(schema: string): string {
  return stableStringify(parseSchema(schema))
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}
