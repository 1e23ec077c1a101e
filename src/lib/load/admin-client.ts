// The stack's admin API (stack/api.ts AdminRoutes): switching faults and interventions, flushing
// the cache, dropping new content. Used by timeline events and variants.
import {request} from 'undici'
import {AdminRoutes, DEFAULT_SWITCHES} from '../stack/api.js'
import type {SwitchesPatch, TimelineAction} from './profile.js'

export interface AdminResult {
  ok: boolean
  status?: number
  response?: unknown
  error?: string
}

export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  patchSwitches(patch: SwitchesPatch): Promise<AdminResult> {
    return this.call('PATCH', AdminRoutes.switches, patch)
  }

  /** Every fault off, every intervention off. */
  resetSwitches(): Promise<AdminResult> {
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

  private async call(method: 'PATCH' | 'POST', route: string, body: unknown): Promise<AdminResult> {
    try {
      const response = await request(new URL(route, this.baseUrl), {method, headers: {'content-type': 'application/json', ...this.headers}, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000})
      const text = await response.body.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      const ok = response.statusCode >= 200 && response.statusCode < 300
      return {ok, status: response.statusCode, response: parsed, ...(ok ? {} : {error: `HTTP ${response.statusCode}`})}
    } catch (error) {
      return {ok: false, error: (error as Error).message}
    }
  }
}
