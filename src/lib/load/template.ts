// Request templates with seeded variables, as vegeta targets and k6 scripts give them: paths,
// header values and bodies may hold `{{...}}` placeholders, compiled once into functions so a
// request is rendered without parsing anything.
//
//   {{user.id}} {{user.apiKey}} {{user.tier}}   a user drawn from the population (Zipf)
//   {{content.id}}                              a content id drawn from the catalogue (Zipf)
//   {{seq}}  {{id}}  {{uuid}}                    request number, a 16-hex id, a UUID (seeded)
//   {{run.id}}                                   this run's id: random, never seeded, so ids made of
//                                                it and {{seq}} (`{{run.id}}-{{seq}}`) are new in every
//                                                run and warm-up while all else repeats with the seed
//   {{int 1 100}}  {{pick view like search}}     a seeded integer, one of the words
//   {{now}}                                      the current time, RFC 3339
//   {{vars.NAME}}                                a constant from the profile's `vars`
import type {PopulationUser} from './population.js'
import type {SeededRandom} from '../random/seeded.js'

export interface TemplateContext {
  seq: number
  /** The run's id (Workload.runId). */
  run: string
  user: PopulationUser
  contentId: string
  random: SeededRandom
}

/** A compiled template; `constant` holds its text when it has no placeholder. */
export type Render = ((context: TemplateContext) => string) & {readonly constant?: string}

function constantRender(text: string): Render {
  return Object.assign(() => text, {constant: text})
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError'
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g

export function compileTemplate(text: string, vars: Record<string, string> = {}): Render {
  const parts: Array<string | Render> = []
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(text.slice(last, match.index))
    parts.push(compilePlaceholder(match[1]!, vars))
    last = match.index + match[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  if (parts.length === 0) return constantRender('')
  if (parts.length === 1) {
    const only = parts[0]!
    return typeof only === 'string' ? constantRender(only) : only
  }
  return (context) => {
    let out = ''
    for (const part of parts) out += typeof part === 'string' ? part : part(context)
    return out
  }
}

/** A JSON body: string leaves are templates; a leaf that is exactly `{{int a b}}` becomes a number. */
export function compileJsonBody(body: unknown, vars: Record<string, string> = {}): Render {
  const text = JSON.stringify(body)
  if (!text.includes('{{')) return constantRender(text)
  const build = compileValue(body, vars)
  return (context) => JSON.stringify(build(context))
}

function compileValue(value: unknown, vars: Record<string, string>): (context: TemplateContext) => unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*(int\s[^}]*?)\s*\}\}$/.exec(value)
    const render = compileTemplate(value, vars)
    return whole ? (context) => Number(render(context)) : render
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => compileValue(item, vars))
    return (context) => items.map((item) => item(context))
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, compileValue(item, vars)] as const)
    return (context) => {
      const out: Record<string, unknown> = {}
      for (const [key, item] of entries) out[key] = item(context)
      return out
    }
  }
  return () => value
}

function compilePlaceholder(expression: string, vars: Record<string, string>): Render {
  const [name = '', ...args] = expression.split(/\s+/)
  switch (name) {
    case 'user.id':
      return (context) => context.user.id
    case 'user.apiKey':
      return (context) => context.user.apiKey ?? ''
    case 'user.tier':
      return (context) => context.user.tier
    case 'content.id':
      return (context) => context.contentId
    case 'seq':
      return (context) => String(context.seq)
    case 'run.id':
      return (context) => context.run
    case 'id':
      return (context) => context.random.hex(16)
    case 'uuid':
      return (context) => {
        const hex = context.random.hex(32)
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
      }
    case 'now':
      return () => new Date().toISOString()
    case 'int': {
      const [min, max] = args.map(Number)
      if (args.length !== 2 || !Number.isInteger(min) || !Number.isInteger(max) || min! > max!)
        throw new TemplateError(`{{${expression}}}: int takes two integers, lowest first, e.g. {{int 1 100}}`)
      return (context) => String(context.random.int(min!, max!))
    }
    case 'pick':
      if (args.length === 0)
        throw new TemplateError(`{{${expression}}}: pick takes the words to choose from, e.g. {{pick view like}}`)
      return (context) => context.random.pick(args)
    default: {
      if (name.startsWith('vars.')) {
        const value = vars[name.slice(5)]
        if (value === undefined)
          throw new TemplateError(
            `{{${expression}}}: no "${name.slice(5)}" under vars (declared: ${Object.keys(vars).join(', ') || 'none'})`,
          )
        return () => value
      }
      throw new TemplateError(
        `unknown placeholder {{${expression}}}: use user.id, user.apiKey, user.tier, content.id, seq, id, uuid, run.id, now, int A B, pick WORDS or vars.NAME`,
      )
    }
  }
}

/** Whether a template text uses a placeholder (e.g. `user.apiKey`, to know credentials are needed). */
export function usesPlaceholder(text: string, name: string): boolean {
  for (const match of text.matchAll(PLACEHOLDER)) if (match[1]!.split(/\s+/)[0] === name) return true
  return false
}
