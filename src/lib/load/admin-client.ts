// The stack's admin API (streamflow/api.ts AdminRoutes): switching faults and interventions, flushing
// the cache, dropping new content. Used by timeline events and variants. Every call carries the
// admin token (stack/admin-token.ts) as a bearer token; without the right one the gateway answers 401.
import {request} from 'undici'
import {AdminRoutes, DEFAULT_SWITCHES} from '../streamflow/api.js'
import type {SwitchesPatch, TimelineAction} from './profile.js'

export interface AdminResult {
  ok: boolean
  status?: number
  response?: unknown
  /** `HTTP 401: <the server's message>`, or why the request failed. */
  error?: string
}

/** The admin API refused the token: every later call would be refused too. */
export function isUnauthorized(result: AdminResult): boolean {
  return result.status === 401 || result.status === 403
}

export class AdminClient {
  private readonly headers: Record<string, string>

  /**
   * `baseline`: the switches a reset returns to: a run's calibration (its simulated costs) stays
   * on through every variant and timeline `reset`, until `clearSwitches` at the end.
   */
  constructor(
    readonly baseUrl: string,
    token?: string,
    private readonly baseline: SwitchesPatch = {},
  ) {
    this.headers = {'content-type': 'application/json', ...(token ? {authorization: `Bearer ${token}`} : {})}
  }

  readSwitches(): Promise<AdminResult> {
    return this.call('GET', AdminRoutes.switches)
  }

  patchSwitches(patch: SwitchesPatch): Promise<AdminResult> {
    return this.call('PATCH', AdminRoutes.switches, patch)
  }

  /** Every fault off, every intervention off, the costs at the baseline's. */
  resetSwitches(): Promise<AdminResult> {
    return this.call('PATCH', AdminRoutes.switches, {
      ...DEFAULT_SWITCHES,
      costs: {...DEFAULT_SWITCHES.costs, ...this.baseline.costs},
    })
  }

  /** Every switch at its default, the costs too. */
  clearSwitches(): Promise<AdminResult> {
    return this.call('PATCH', AdminRoutes.switches, DEFAULT_SWITCHES)
  }

  perform(action: Exclude<TimelineAction, {component: string}>): Promise<AdminResult> {
    switch (action.action) {
      case 'switches':
        return this.patchSwitches(action.switches)
      case 'reset':
        return this.resetSwitches()
      case 'cache-flush':
        return this.call('POST', AdminRoutes.cacheFlush, {})
      case 'content-drop':
        return this.call('POST', AdminRoutes.contentDrop, action.count === undefined ? {} : {count: action.count})
    }
  }

  private async call(method: 'GET' | 'PATCH' | 'POST', route: string, body?: unknown): Promise<AdminResult> {
    try {
      const response = await request(new URL(route, this.baseUrl), {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : {body: JSON.stringify(body)}),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      })
      const text = await response.body.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // not JSON: the result keeps the raw text
      }
      const ok = response.statusCode >= 200 && response.statusCode < 300
      return {
        ok,
        status: response.statusCode,
        response: parsed,
        ...(ok ? {} : {error: `HTTP ${response.statusCode}${errorMessage(parsed)}`}),
      }
    } catch (error) {
      return {ok: false, error: (error as Error).message}
    }
  }
}

/** `: <message>` of an `{"error": {"message"}}` body (the reference services' errors); empty otherwise. */
function errorMessage(body: unknown): string {
  const message = (body as {error?: {message?: unknown}} | undefined)?.error?.message
  return typeof message === 'string' && message ? `: ${message}` : ''
}
