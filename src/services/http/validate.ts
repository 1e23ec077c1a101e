// Checks of decoded JSON request bodies that answer 400 naming the field, for handlers that take a
// small object (JSON Schema via ajv is used where a schema file exists), and the check every body
// gets: no text PostgreSQL, RabbitMQ or an LLM would refuse.
import {badRequest, HttpError} from './errors.js'

/** The ids the gateway hands out (randomUUID), checked before a lookup so any other id is a plain 404. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A string field's shape, and how to describe it in the 400. */
export interface TextFormat {
  pattern: RegExp
  description: string
}

/** The ids of users, videos and content items across the stack (the event schemas' pattern too). */
export const ID_FORMAT: TextFormat = {
  pattern: /^[A-Za-z0-9_-]{1,64}$/,
  description: '1-64 letters, digits, "_" or "-"',
}

/** What an LLM API takes as `model`, and nothing a log line, a queue header or a URL path trips on. */
export const MODEL_NAME: TextFormat = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/,
  description: 'a model name: a letter or digit, then up to 63 letters, digits, ".", "_", ":", "/" or "-"',
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be a JSON object')
  return body as Record<string, unknown>
}

export function rejectUnknownFields(body: Record<string, unknown>, known: string[], where = ''): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key))
  if (unknown.length > 0) throw badRequest(`unknown field ${where}${unknown[0]} (allowed: ${known.join(', ')})`)
}

interface StringOptions {
  minLength?: number
  maxLength?: number
  format?: TextFormat
}

export function stringField(
  body: Record<string, unknown>,
  name: string,
  options: StringOptions & {required: true},
): string
export function stringField(
  body: Record<string, unknown>,
  name: string,
  options: StringOptions & {required?: false},
): string | undefined
export function stringField(
  body: Record<string, unknown>,
  name: string,
  options: StringOptions & {required?: boolean},
): string | undefined {
  const value = body[name]
  if (value === undefined) {
    if (options.required) throw badRequest(`missing field ${name} (a string)`)
    return undefined
  }
  if (typeof value !== 'string') throw badRequest(`field ${name} must be a string, not ${describe(value)}`)
  if (value.length < (options.minLength ?? 0))
    throw badRequest(`field ${name} must have at least ${options.minLength} characters`)
  if (options.maxLength !== undefined && value.length > options.maxLength)
    throw badRequest(`field ${name} must have at most ${options.maxLength} characters`)
  if (options.format && !options.format.pattern.test(value))
    throw badRequest(`field ${name} must be ${options.format.description}, not ${describe(value)}`)
  return value
}

export function integerField(
  body: Record<string, unknown>,
  name: string,
  options: {min: number; max: number},
): number | undefined {
  const value = body[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw badRequest(`field ${name} must be an integer, not ${describe(value)}`)
  if (value < options.min || value > options.max)
    throw badRequest(`field ${name} must be between ${options.min} and ${options.max}`)
  return value
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60)
}

// JSON carries a NUL or a lone surrogate only as a \u escape (a raw control character is not JSON,
// a raw surrogate is not UTF-8), so a body without such an escape needs no walk. The pattern may hit
// an escaped backslash (`\\u0000` is the text \u0000); the walk decides.
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i
const LONE_SURROGATE = /\p{Cs}/u

/** Where a value sits in the parsed body: its key or index, under its parent. */
type JsonPath = {parent: JsonPath; key: string | number} | undefined

/**
 * Refuses (400 invalid_text) a body with a string or a field name holding U+0000, which PostgreSQL
 * cannot store in text, or a lone UTF-16 surrogate, which is not Unicode (it would be stored as
 * U+FFFD). `json` is the body's text, `value` what it parsed to.
 */
export function rejectUnstorableText(json: string, value: unknown): void {
  if (!UNSTORABLE_ESCAPE.test(json)) return
  // Iterative, with a stack of its own: a 64 KiB body can nest arrays 30,000 deep.
  const pending: Array<{value: unknown; path: JsonPath}> = [{value, path: undefined}]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const {value: current, path} = next
    if (typeof current === 'string') {
      const problem = unstorable(current)
      if (problem)
        throw invalidText(
          path ? `field ${renderPath(path)} contains ${problem}` : `the request body contains ${problem}`,
        )
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push({value: item, path: {parent: path, key: index}}))
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        const problem = unstorable(key)
        if (problem)
          throw invalidText(
            `the field name ${JSON.stringify(key)}${path ? ` in ${renderPath(path)}` : ''} contains ${problem}`,
          )
        pending.push({value: item, path: {parent: path, key}})
      }
    }
  }
}

function unstorable(text: string): string | undefined {
  if (text.includes('\0')) return 'a NUL character (U+0000), which cannot be stored'
  if (LONE_SURROGATE.test(text))
    return 'a lone UTF-16 surrogate (half of a \\ud800-\\udfff pair), which is not Unicode text'
  return undefined
}

/** `faults.pausedConsumers[2]`; a path nested deeper than a reader would follow is cut short. */
function renderPath(path: JsonPath): string {
  const keys: Array<string | number> = []
  for (let at = path; at; at = at.parent) keys.push(at.key)
  const rendered = keys
    .reverse()
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join('')
  return rendered.length > 120 ? `${rendered.slice(0, 120)}…` : rendered
}

function invalidText(message: string): HttpError {
  return new HttpError(400, 'invalid_text', message)
}
