// Kafka messages as data: a request or response body is a list of fields, each present in a range
// of versions, and one generic codec reads and writes any of them at any version. The field lists
// are transcribed from Kafka's message definitions (clients/src/main/resources/common/message/*.json),
// so adding a version is editing a schema, not writing code. From an API's first flexible version
// (KIP-482) strings, bytes and arrays take compact lengths (unsigned varint, length + 1, 0 for null)
// and every struct ends with a tagged-field section: tagged fields are written only when they differ
// from their default, and tags a reader does not know are skipped.
import {Decoder, MalformedFrameError} from './decoder.js'
import {Encoder} from './encoder.js'

export type ScalarType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  /** NULLABLE_BYTES holding record batches: read as a view, written from one buffer or several. */
  | 'records'
  | 'uuid'

/** `"0+"`, `"3-5"`, `"7"` or `"none"`, as Kafka's definitions write version ranges. */
export type Versions = string

export interface FieldSpec {
  name: string
  type: ScalarType | readonly FieldSpec[]
  /** An array of `type` rather than one value. */
  array?: boolean
  versions: Versions
  nullableVersions?: Versions
  /** A tagged field: its tag, and the versions in which it is tagged (its `versions` bound it too). */
  tag?: number
  taggedVersions?: Versions
  /** What a reader sees where the field is absent, and what a writer leaves out of the tagged section. */
  default?: unknown
}

export interface FieldOptions {
  nullable?: Versions
  tag?: number
  tagged?: Versions
  default?: unknown
}

/** A field of a scalar type, or a struct when `type` is a field list. */
export function field(
  name: string,
  type: ScalarType | readonly FieldSpec[],
  versions: Versions,
  options: FieldOptions = {},
): FieldSpec {
  return {
    name,
    type,
    versions,
    ...(options.nullable === undefined ? {} : {nullableVersions: options.nullable}),
    ...(options.tag === undefined ? {} : {tag: options.tag, taggedVersions: options.tagged ?? versions}),
    ...(options.default === undefined ? {} : {default: options.default}),
  }
}

/** An array of a scalar type, or of structs when `items` is a field list. */
export function array(
  name: string,
  items: ScalarType | readonly FieldSpec[],
  versions: Versions,
  options: FieldOptions = {},
): FieldSpec {
  return {...field(name, items, versions, options), array: true}
}

interface Range {
  min: number
  max: number
}

export function parseVersions(text: Versions): Range {
  if (text === 'none') return {min: 1, max: 0}
  const plus = /^(\d+)\+$/.exec(text)
  if (plus) return {min: Number(plus[1]), max: Number.POSITIVE_INFINITY}
  const span = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!span) throw new Error(`bad version range ${JSON.stringify(text)}`)
  return {min: Number(span[1]), max: Number(span[2] ?? span[1])}
}

const inRange = (range: Range, version: number) => version >= range.min && version <= range.max

/** One field as it is at one version: where it goes and how it is read and written. */
interface BoundField {
  name: string
  spec: FieldSpec
  nullable: boolean
  struct: BoundStruct | undefined
  defaultValue: () => unknown
}

interface BoundStruct {
  flexible: boolean
  /** In wire order. */
  fields: BoundField[]
  /** Tagged fields by tag, in increasing tag order. */
  tagged: BoundField[]
  /** Every field the schema has, present at this version or not, for the defaults of absent ones. */
  absent: BoundField[]
}

/** A message (a request or response body) of one API, readable and writable at any of its versions. */
export class MessageSchema<T = Record<string, unknown>> {
  private readonly flexible: Range
  private readonly bound = new Map<number, BoundStruct>()

  constructor(
    readonly name: string,
    readonly fields: readonly FieldSpec[],
    flexibleVersions: Versions,
  ) {
    this.flexible = parseVersions(flexibleVersions)
  }

  isFlexible(version: number): boolean {
    return inRange(this.flexible, version)
  }

  read(decoder: Decoder, version: number): T {
    return readStruct(decoder, this.at(version)) as T
  }

  write(encoder: Encoder, version: number, value: T): Encoder {
    writeStruct(encoder, this.at(version), value as Record<string, unknown>)
    return encoder
  }

  /** The body in a fresh encoder, ready to be framed. */
  encode(version: number, value: T): Encoder {
    return this.write(new Encoder(), version, value)
  }

  private at(version: number): BoundStruct {
    let struct = this.bound.get(version)
    if (!struct) {
      struct = bindStruct(this.fields, version, this.isFlexible(version), this.name)
      this.bound.set(version, struct)
    }
    return struct
  }
}

function bindStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, where: string): BoundStruct {
  const struct: BoundStruct = {flexible, fields: [], tagged: [], absent: []}
  for (const spec of fields) {
    const present = inRange(parseVersions(spec.versions), version)
    const bound: BoundField = {
      name: spec.name,
      spec,
      nullable: spec.nullableVersions !== undefined && inRange(parseVersions(spec.nullableVersions), version),
      struct:
        typeof spec.type === 'string' ? undefined : bindStruct(spec.type, version, flexible, `${where}.${spec.name}`),
      defaultValue: () => defaultOf(spec, bound.struct),
    }
    const tagged = spec.tag !== undefined && flexible && inRange(parseVersions(spec.taggedVersions!), version)
    if (!present) struct.absent.push(bound)
    else if (tagged) struct.tagged.push(bound)
    else struct.fields.push(bound)
  }
  struct.tagged.sort((left, right) => left.spec.tag! - right.spec.tag!)
  for (let index = 1; index < struct.tagged.length; index++)
    if (struct.tagged[index]!.spec.tag === struct.tagged[index - 1]!.spec.tag)
      throw new Error(`${where}: tag ${struct.tagged[index]!.spec.tag} used twice`)
  return struct
}

function defaultOf(spec: FieldSpec, struct: BoundStruct | undefined): unknown {
  if (spec.default !== undefined) return spec.default
  if (spec.array) return []
  if (struct) return defaultStruct(struct)
  switch (spec.type) {
    case 'bool':
      return false
    case 'string':
      return ''
    case 'bytes':
      return Buffer.alloc(0)
    case 'records':
      return null
    case 'uuid':
      return ZERO_UUID
    default:
      return 0
  }
}

function defaultStruct(struct: BoundStruct): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (const group of [struct.fields, struct.tagged, struct.absent])
    for (const bound of group) value[bound.name] = bound.defaultValue()
  return value
}

/** The all-zero UUID: Kafka's "no topic id". */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

// ---- reading ----

function readStruct(decoder: Decoder, struct: BoundStruct): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (const bound of struct.fields) value[bound.name] = readField(decoder, bound, struct.flexible)
  for (const bound of struct.absent) value[bound.name] = bound.defaultValue()
  if (struct.flexible) readTaggedFields(decoder, struct, value)
  else for (const bound of struct.tagged) value[bound.name] = bound.defaultValue()
  return value
}

function readTaggedFields(decoder: Decoder, struct: BoundStruct, value: Record<string, unknown>): void {
  for (const bound of struct.tagged) value[bound.name] = bound.defaultValue()
  const count = decoder.readUnsignedVarInt()
  let previous = -1
  for (let index = 0; index < count; index++) {
    const tag = decoder.readUnsignedVarInt()
    if (tag <= previous) throw new MalformedFrameError(`tagged field ${tag} after ${previous}: tags must increase`)
    previous = tag
    const size = decoder.readUnsignedVarInt()
    const body = decoder.readRaw(size, 'tagged field')
    const bound = struct.tagged.find((candidate) => candidate.spec.tag === tag)
    if (bound) value[bound.name] = readField(new Decoder(body), bound, true)
  }
}

function readField(decoder: Decoder, bound: BoundField, flexible: boolean): unknown {
  const {spec} = bound
  if (spec.array) {
    const count = flexible ? decoder.readUnsignedVarInt() - 1 : decoder.readInt32()
    if (count === -1) {
      if (!bound.nullable) throw new MalformedFrameError(`${spec.name}: a required array is null`)
      return null
    }
    // Every item takes at least one byte: a larger count is a lie that would allocate forever.
    if (count < -1 || count > decoder.remaining)
      throw new MalformedFrameError(`${spec.name}: array count ${count} with ${decoder.remaining} bytes left`)
    const items: unknown[] = new Array(count)
    for (let index = 0; index < count; index++) items[index] = readOne(decoder, bound, flexible)
    return items
  }
  return readOne(decoder, bound, flexible)
}

function readOne(decoder: Decoder, bound: BoundField, flexible: boolean): unknown {
  if (bound.struct) {
    // A nullable struct (not an array) is preceded by an int8: -1 null, 1 present.
    if (!bound.spec.array && bound.nullable && decoder.readInt8() < 0) return null
    return readStruct(decoder, bound.struct)
  }
  switch (bound.spec.type as ScalarType) {
    case 'int8':
      return decoder.readInt8()
    case 'int16':
      return decoder.readInt16()
    case 'uint16':
      return decoder.readUInt16()
    case 'int32':
      return decoder.readInt32()
    case 'int64':
      return decoder.readInt64Number()
    case 'float64':
      return decoder.readFloat64()
    case 'bool':
      return decoder.readBoolean()
    case 'uuid':
      return decoder.readUuid()
    case 'string': {
      const text = flexible ? decoder.readCompactNullableString() : decoder.readNullableString()
      if (text === null && !bound.nullable)
        throw new MalformedFrameError(`${bound.spec.name}: a required string is null`)
      return text
    }
    case 'bytes':
    case 'records': {
      const bytes = flexible ? decoder.readCompactBytes() : decoder.readBytes()
      if (bytes === null && !bound.nullable && bound.spec.type === 'bytes')
        throw new MalformedFrameError(`${bound.spec.name}: required bytes are null`)
      return bytes
    }
  }
}

// ---- writing ----

function writeStruct(encoder: Encoder, struct: BoundStruct, value: Record<string, unknown>): void {
  for (const bound of struct.fields) writeField(encoder, bound, value[bound.name], struct.flexible)
  if (!struct.flexible) return
  if (struct.tagged.length === 0) {
    encoder.writeUnsignedVarInt(0)
    return
  }
  const present = struct.tagged.filter((bound) => {
    const item = value[bound.name]
    return item !== undefined && !isDefault(item, bound)
  })
  encoder.writeUnsignedVarInt(present.length)
  for (const bound of present) {
    const body = new Encoder()
    writeField(body, bound, value[bound.name], true)
    encoder.writeUnsignedVarInt(bound.spec.tag!).writeUnsignedVarInt(body.length)
    for (const chunk of body.toChunks()) encoder.writeRaw(chunk)
  }
}

function isDefault(item: unknown, bound: BoundField): boolean {
  const fallback = bound.defaultValue()
  if (Array.isArray(item)) return Array.isArray(fallback) && item.length === 0 && fallback.length === 0
  if (Buffer.isBuffer(item)) return Buffer.isBuffer(fallback) && item.equals(fallback)
  if (item !== null && typeof item === 'object') {
    // A struct is at its default when every field of it is.
    if (!bound.struct || bound.spec.array) return false
    const struct = item as Record<string, unknown>
    return [...bound.struct.fields, ...bound.struct.tagged].every(
      (inner) => struct[inner.name] === undefined || isDefault(struct[inner.name], inner),
    )
  }
  return item === fallback
}

function writeField(encoder: Encoder, bound: BoundField, item: unknown, flexible: boolean): void {
  const {spec} = bound
  const value = item === undefined ? bound.defaultValue() : item
  if (spec.array) {
    if (value === null) {
      if (!bound.nullable) throw new Error(`${spec.name}: null for an array that is not nullable here`)
      if (flexible) encoder.writeUnsignedVarInt(0)
      else encoder.writeInt32(-1)
      return
    }
    const items = value as readonly unknown[]
    if (flexible) encoder.writeUnsignedVarInt(items.length + 1)
    else encoder.writeInt32(items.length)
    for (const one of items) writeOne(encoder, bound, one, flexible)
    return
  }
  writeOne(encoder, bound, value, flexible)
}

function writeOne(encoder: Encoder, bound: BoundField, value: unknown, flexible: boolean): void {
  if (bound.struct) {
    if (!bound.spec.array && bound.nullable) {
      encoder.writeInt8(value === null ? -1 : 1)
      if (value === null) return
    }
    writeStruct(encoder, bound.struct, (value ?? {}) as Record<string, unknown>)
    return
  }
  switch (bound.spec.type as ScalarType) {
    case 'int8':
      encoder.writeInt8(value as number)
      return
    case 'int16':
      encoder.writeInt16(value as number)
      return
    case 'uint16':
      encoder.writeUInt16(value as number)
      return
    case 'int32':
      encoder.writeInt32(value as number)
      return
    case 'int64':
      encoder.writeInt64(value as number | bigint)
      return
    case 'float64':
      encoder.writeFloat64(value as number)
      return
    case 'bool':
      encoder.writeBoolean(value as boolean)
      return
    case 'uuid':
      encoder.writeUuid(value as string)
      return
    case 'string': {
      const text = value as string | null
      if (text === null && !bound.nullable)
        throw new Error(`${bound.spec.name}: null for a string that is not nullable here`)
      if (flexible) encoder.writeCompactNullableString(text)
      else encoder.writeNullableString(text)
      return
    }
    case 'bytes':
    case 'records': {
      const chunks = value === null ? null : Array.isArray(value) ? (value as Buffer[]) : [value as Buffer]
      if (chunks === null) {
        if (flexible) encoder.writeUnsignedVarInt(0)
        else encoder.writeInt32(-1)
        return
      }
      const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
      if (flexible) encoder.writeUnsignedVarInt(length + 1)
      else encoder.writeInt32(length)
      for (const chunk of chunks) encoder.writeRaw(chunk)
    }
  }
}
