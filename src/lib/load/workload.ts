// The request mix: weighted request types rendered for a user and a content item drawn from the
// population. Draws come from seeded streams consumed in request order, so the n-th request of a
// run is the same every time (but for `{{run.id}}`, which is new in every run).
import {randomBytes} from 'node:crypto'
import {GatewayRoutes, type GenerateAccepted} from '../streamflow/api.js'
import type {HttpAttempt} from './http-client.js'
import type {Population} from './population.js'
import {SeededRandom} from '../random/seeded.js'
import {compileJsonBody, compileTemplate, type Render, type TemplateContext} from './template.js'

export interface PollSpec {
  intervalMs: number
  timeoutMs: number
}

/** A request type as a profile gives it (or a built-in template expands to). */
export interface RequestTemplateSpec {
  name: string
  /** Series the latency is recorded under; defaults to the name. */
  metric?: string
  weight?: number
  method: string
  path: string
  headers?: Record<string, string>
  /** A string is sent as is (after templating); a mapping is sent as JSON. */
  body?: unknown
  timeoutMs?: number
  /** Poll the returned request's status until it completes (the generate flow). */
  poll?: PollSpec
  /** Count a success whose JSON body says `"degraded":true` (a fallback answer) as degraded. */
  countDegraded?: boolean
}

export interface RequestType {
  name: string
  metric: string
  weight: number
  method: string
  path: Render
  headers: Array<[string, Render]>
  body?: Render
  timeoutMs?: number
  poll?: PollSpec
  countDegraded?: boolean
  /** The request itself when no part of it has a placeholder: built once, sent as is every time. */
  fixed?: HttpAttempt
}

export function compileRequestType(spec: RequestTemplateSpec, vars: Record<string, string> = {}): RequestType {
  const headers = Object.entries(spec.headers ?? {}).map(
    ([name, value]) => [name.toLowerCase(), compileTemplate(String(value), vars)] as [string, Render],
  )
  const body =
    spec.body === undefined
      ? undefined
      : typeof spec.body === 'string'
        ? compileTemplate(spec.body, vars)
        : compileJsonBody(spec.body, vars)
  if (body && typeof spec.body !== 'string' && !headers.some(([name]) => name === 'content-type'))
    headers.push(['content-type', compileTemplate('application/json')])
  const method = spec.method.toUpperCase()
  const path = compileTemplate(spec.path, vars)
  return {
    name: spec.name,
    metric: spec.metric ?? spec.name,
    weight: spec.weight ?? 1,
    method,
    path,
    headers,
    ...(body ? {body} : {}),
    ...(spec.timeoutMs === undefined ? {} : {timeoutMs: spec.timeoutMs}),
    ...(spec.poll ? {poll: spec.poll} : {}),
    ...(spec.countDegraded ? {countDegraded: true} : {}),
    ...fixedAttempt(method, path, headers, body),
  }
}

function fixedAttempt(
  method: string,
  path: Render,
  headers: Array<[string, Render]>,
  body: Render | undefined,
): {fixed?: HttpAttempt} {
  if (
    path.constant === undefined ||
    headers.some(([, render]) => render.constant === undefined) ||
    (body && body.constant === undefined)
  )
    return {}
  const constantHeaders = Object.fromEntries(headers.map(([name, render]) => [name, render.constant!]))
  return {
    fixed: {
      method,
      path: path.constant,
      headers: constantHeaders,
      ...(body ? {body: body.constant!} : {}),
      fixed: true,
    },
  }
}

export interface PlannedRequest {
  type: RequestType
  attempt: HttpAttempt
  /** Headers to reuse for follow-up requests of the same user (status polls). */
  headers: Record<string, string>
}

export class Workload {
  private readonly cumulative: number[]
  private readonly mix: SeededRandom
  private readonly variables: SeededRandom

  /**
   * `runId` is what `{{run.id}}` renders: a fresh one per engine run (each variant, each warm-up),
   * so a server that de-duplicates by an id built from it never takes a new run's requests for
   * an earlier run's.
   */
  constructor(
    readonly types: readonly RequestType[],
    private readonly population: Population,
    seed: number,
    readonly runId: string = randomBytes(4).toString('hex'),
  ) {
    let sum = 0
    this.cumulative = types.map((type) => (sum += type.weight))
    this.mix = new SeededRandom(seed, 'mix')
    this.variables = new SeededRandom(seed, 'variables')
  }

  /** The request with sequence number `seq`, drawn in order. */
  next(seq: number): PlannedRequest {
    const type = this.pickType()
    const user = this.population.pickUser(this.mix)
    const contentId = this.population.pickContent(this.mix)
    // The draws above happen either way, so the n-th request of a seed does not depend on this.
    if (type.fixed) return {type, attempt: type.fixed, headers: type.fixed.headers!}
    const context: TemplateContext = {seq, run: this.runId, user, contentId, random: this.variables}
    const headers: Record<string, string> = {}
    for (const [name, render] of type.headers) headers[name] = render(context)
    const attempt: HttpAttempt = {
      method: type.method,
      path: type.path(context),
      headers,
      ...(type.body ? {body: type.body(context)} : {}),
    }
    return {type, attempt, headers}
  }

  private pickType(): RequestType {
    if (this.types.length === 1) return this.types[0]!
    const u = this.mix.next() * this.cumulative.at(-1)!
    let index = 0
    while (this.cumulative[index]! <= u) index++
    return this.types[index]!
  }
}

/** The status request that follows an accepted generate, or undefined if the body is not one. */
export function statusRequestFor(
  acceptedBody: string | undefined,
  headers: Record<string, string>,
): HttpAttempt | undefined {
  if (!acceptedBody) return undefined
  let accepted: Partial<GenerateAccepted>
  try {
    accepted = JSON.parse(acceptedBody) as Partial<GenerateAccepted>
  } catch {
    return undefined
  }
  const path =
    typeof accepted.status_url === 'string' && accepted.status_url.startsWith('/')
      ? accepted.status_url
      : typeof accepted.request_id === 'string'
        ? GatewayRoutes.request(accepted.request_id)
        : undefined
  if (!path) return undefined
  const {authorization} = headers
  return {method: 'GET', path, ...(authorization ? {headers: {authorization}} : {})}
}

/** A fallback answer: the reference services mark one `"degraded": true` (streamflow/api.ts). */
export function isDegradedAnswer(body: string | undefined): boolean {
  return body !== undefined && body.includes('"degraded":true')
}

/** The state of a status response: terminal (completed/failed) or still going. */
export function statusState(body: string | undefined): 'completed' | 'failed' | 'pending' {
  if (!body) return 'pending'
  try {
    const status = (JSON.parse(body) as {status?: string}).status
    return status === 'completed' ? 'completed' : status === 'failed' ? 'failed' : 'pending'
  } catch {
    return 'pending'
  }
}
