// Routes of a service: method + path pattern (`/v1/requests/:id`) → handler. The pattern is also
// the `route` label of the request-duration metric, so label cardinality stays bounded.
import type {IncomingMessage, ServerResponse} from 'node:http'

export interface RequestContext {
  request: IncomingMessage
  response: ServerResponse
  url: URL
  params: Record<string, string>
  /** The JSON body, read and checked on first call (content type, size limit, syntax, text). */
  body(): Promise<unknown>
  /** The client will not get this request's answer (it left, or its connection closes before): admit nothing. */
  clientGone(): boolean
}

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string | number>
}

export type Handler = (context: RequestContext) => Promise<Reply> | Reply

export interface RouteOptions {
  /** Exempt from load shedding (admin and health-like routes stay reachable under overload). */
  unshed?: boolean
}

interface Route {
  method: string
  pattern: string
  segments: string[]
  handler: Handler
  options: RouteOptions
}

export type RouteMatch = {route: Route; params: Record<string, string>} | {allowed: string[]} | undefined

export class Router {
  private readonly routes: Route[] = []

  add(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): this {
    this.routes.push({method: method.toUpperCase(), pattern, segments: pattern.split('/'), handler, options})
    return this
  }

  get(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('GET', pattern, handler, options)
  }

  post(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('POST', pattern, handler, options)
  }

  patch(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('PATCH', pattern, handler, options)
  }

  /** The route for a request, or the methods the path does allow (405), or undefined (404). */
  match(method: string, pathname: string): RouteMatch {
    const parts = pathname.split('/')
    const allowed: string[] = []
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts)
      if (!params) continue
      if (route.method === method) return {route, params}
      allowed.push(route.method)
    }
    return allowed.length > 0 ? {allowed} : undefined
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined
  const params: Record<string, string> = {}
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!
    const actual = parts[index]!
    if (expected.startsWith(':')) {
      if (actual === '') return undefined
      try {
        params[expected.slice(1)] = decodeURIComponent(actual)
      } catch {
        return undefined
      }
    } else if (expected !== actual) return undefined
  }
  return params
}
