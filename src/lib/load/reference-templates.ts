// The reference stack's request types as built-in templates of its HTTP contract (streamflow/api.ts):
// a profile says `use: generate` instead of spelling out the route, headers and body.
import {GatewayRoutes} from '../streamflow/api.js'
import type {RequestTemplateSpec} from './workload.js'

export const BUILTIN_TEMPLATES = ['generate', 'events', 'recommendations', 'metadata'] as const
/** The series of accepted generates: what the quota accounting follows. */
export const GENERATE_SERIES = 'generate.accept'
export type BuiltinTemplate = (typeof BUILTIN_TEMPLATES)[number]

const AUTH = {authorization: 'Bearer {{user.apiKey}}'}

export function builtinTemplate(name: BuiltinTemplate): RequestTemplateSpec {
  switch (name) {
    case 'generate':
      // Accept latency is `generate.accept`; polling GET /v1/requests/{id} is `status`; the time
      // from the intended start to a terminal status is `e2e`.
      return {
        name,
        metric: GENERATE_SERIES,
        method: 'POST',
        path: GatewayRoutes.generate,
        headers: {...AUTH, 'content-type': 'application/json'},
        body: {
          prompt:
            'Recommend {{pick three five ten}} {{pick news sports drama comedy documentary}} titles like {{content.id}}',
          max_tokens: '{{int 16 256}}',
        },
        poll: {intervalMs: 250, timeoutMs: 30_000},
      }
    case 'events':
      // The projector counts an event id once: ids drawn from the seed alone would repeat in every
      // run of the same seed (and in a run's warm-up), and each repeat would be dropped, or counted
      // for whichever user's partition the projector happened to fold first.
      return {
        name,
        metric: 'events',
        method: 'POST',
        path: GatewayRoutes.events,
        headers: {...AUTH, 'content-type': 'application/json'},
        body: {
          event_id: '{{run.id}}-{{seq}}',
          type: '{{pick view view view like search recommendation_request}}',
          user_id: '{{user.id}}',
          content_id: '{{content.id}}',
          query: '{{pick news sports drama comedy}}',
          watch_seconds: '{{int 1 3600}}',
          ts: '{{now}}',
        },
      }
    case 'recommendations':
      // The gateway answers the stored ranking, marked degraded, when the recommender cannot.
      return {
        name,
        metric: 'recommendations',
        method: 'GET',
        path: routeWith(GatewayRoutes.recommendations, '{{user.id}}'),
        headers: AUTH,
        countDegraded: true,
      }
    case 'metadata':
      return {
        name,
        metric: 'metadata',
        method: 'GET',
        path: routeWith(GatewayRoutes.metadata, '{{content.id}}'),
        headers: AUTH,
      }
  }
}

/** A parameterised route with a placeholder in place of its (URL-encoded) parameter. */
function routeWith(route: (parameter: string) => string, placeholder: string): string {
  return route('PARAM').replace('PARAM', placeholder)
}
