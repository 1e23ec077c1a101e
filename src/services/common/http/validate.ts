// Checks of decoded JSON request bodies that answer 400 naming the field, for handlers that take a
// small object (JSON Schema via ajv is used where a schema file exists).
import {badRequest} from './errors.js'

/** The ids the gateway hands out (randomUUID), checked before a lookup so any other id is a plain 404. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object')
  return body as Record<string, unknown>
}

export function rejectUnknownFields(body: Record<string, unknown>, known: string[], where = ''): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key))
  if (unknown.length > 0) throw badRequest(`unknown field ${where}${unknown[0]} (allowed: ${known.join(', ')})`)
}

export function stringField(body: Record<string, unknown>, name: string, options: {required: true; minLength?: number; maxLength?: number}): string
export function stringField(body: Record<string, unknown>, name: string, options: {required?: false; minLength?: number; maxLength?: number}): string | undefined
export function stringField(body: Record<string, unknown>, name: string, options: {required?: boolean; minLength?: number; maxLength?: number}): string | undefined {
  const value = body[name]
  if (value === undefined) {
    if (options.required) throw badRequest(`missing field ${name} (a string)`)
    return undefined
  }
  if (typeof value !== 'string') throw badRequest(`field ${name} must be a string, not ${describe(value)}`)
  if (value.length < (options.minLength ?? 0)) throw badRequest(`field ${name} must have at least ${options.minLength} characters`)
  if (options.maxLength !== undefined && value.length > options.maxLength) throw badRequest(`field ${name} must have at most ${options.maxLength} characters`)
  return value
}

export function integerField(body: Record<string, unknown>, name: string, options: {min: number; max: number}): number | undefined {
  const value = body[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(`field ${name} must be an integer, not ${describe(value)}`)
  if (value < options.min || value > options.max) throw badRequest(`field ${name} must be between ${options.min} and ${options.max}`)
  return value
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60)
}
