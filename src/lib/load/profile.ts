// A load profile (`profiles/<name>.yaml`): what load to offer, to which target, with which request
// mix, client retry behaviour, timeline of faults and interventions, and variants run back to back.
// `profileSchema` is the structural check users get line-numbered errors from; the semantic checks
// (durations, rates, templates) are in profile-loader.ts. Keep the types and the schema in step.
import {COMPONENT_FAULTS, type ComponentFault} from '../stack/component-faults.js'
import {COST_LIMITS, type Costs, type Faults, type Interventions} from '../streamflow/api.js'
import type {SlaTarget} from '../sla/targets.js'
import type {JsonSchema} from '../yaml/schema-check.js'
import type {ArrivalProcess, PeakShape} from './arrival-curves.js'
import type {CatalogueSpec} from './population.js'
import type {SendStrategy} from './engine-settings.js'
import type {RetryPolicy} from './retry-policy.js'
import type {RequestTemplateSpec} from './workload.js'

/** A length of time: absolute, or a share of the run (`25%`). */
export type Span = {ms: number} | {fraction: number}
/** A rate: absolute req/s, or a multiple of the profile's base rate (`3x`). */
export type RateValue = {perSecond: number} | {multiple: number}

export type StageSpec = {name?: string; duration?: Span; arrival?: ArrivalProcess} & (
  | {curve: 'constant' | 'poisson'; rate: RateValue}
  | {curve: 'ramp'; from: RateValue; to: RateValue}
  | {curve: 'step'; from: RateValue; to: RateValue; steps: number}
  | {curve: 'peak'; rate: RateValue; factor: number; shape?: PeakShape}
)

export interface SwitchesPatch {
  faults?: Partial<Faults>
  interventions?: Partial<Interventions>
  costs?: Partial<Costs>
}

/** A named set of simulated costs (the profile's `calibration:`), applied under every variant's switches. */
export interface Calibration {
  name: string
  /** The file it was read from, as shown in messages. */
  file: string
  description?: string
  costs: Partial<Costs>
}

export type TimelineAction =
  | {action: 'switches'; switches: SwitchesPatch}
  | {action: 'reset'}
  | {action: 'cache-flush'}
  | {action: 'content-drop'; count?: number}
  | {action: ComponentFault; component: string}

export function isComponentFault<T extends TimelineAction>(action: T): action is Extract<T, {component: string}> {
  return (COMPONENT_FAULTS as readonly string[]).includes(action.action)
}

export type TimelineEventSpec = {at: Span} & TimelineAction

export interface VariantSpec {
  name: string
  description?: string
  retry?: RetryPolicy
  timeoutMs?: number
  /** Switches set (after a reset to defaults) when the variant starts. */
  switches?: SwitchesPatch
}

export interface LoadProfile {
  name: string
  /** The file it was read from, as shown in messages. */
  file?: string
  description?: string
  /** Base URL of the system under test; undefined: the stack's gateway. */
  target?: string
  /** Base URL of the admin API for switches and actions; defaults to the target. */
  admin?: string
  /** The run's length; undefined: the sum of the stages' absolute durations. */
  durationMs?: number
  /** Sent before the run at its starting rate and not recorded (JIT, connections, caches); 0: none. */
  warmupMs?: number
  /** run: one warm-up before the first variant; each-variant: before every variant, switches at their defaults. */
  warmupBefore: 'run' | 'each-variant'
  /** Base rate (req/s) that `Nx` rates multiply, and that `--rate` replaces. */
  rate: number
  model: 'open' | 'closed'
  vus: number
  thinkTimeMs: number
  maxInFlight?: number
  whenCapped: 'queue' | 'drop'
  lateAfterMs: number
  /** How the generator waits for each send's intended start (SendStrategy); auto chooses by rate. */
  sendPrecision: 'auto' | SendStrategy
  connections?: number
  timeoutMs: number
  seed: number
  intervalMs: number
  drainTimeoutMs: number
  arrival: ArrivalProcess
  stages: StageSpec[]
  population: {users: number; zipf: number; content: CatalogueSpec}
  vars: Record<string, string>
  requests: RequestTemplateSpec[]
  retry: RetryPolicy
  timeline: TimelineEventSpec[]
  variants: VariantSpec[]
  /** Prometheus /metrics URLs scraped each interval; the stack's services when the target is the stack. */
  scrape?: string[]
  sla: SlaTarget[]
  /** The simulated costs the run sets under every variant's switches (`calibration: NAME`). */
  calibration?: Calibration
}

// Durations, shares and rates are strings checked by the profile reader, with messages in words.
const durationText = {type: 'string'}
const spanText = {type: 'string'}
const rateValue = {type: ['number', 'string']}
const templateHeaders = {type: 'object', additionalProperties: {type: ['string', 'number', 'boolean']}}
const errorClassName = {enum: ['timeout', '5xx', '429', '4xx', 'connection']}

const retrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['policy'],
  properties: {
    policy: {enum: ['none', 'immediate', 'fixed', 'exponential']},
    maxAttempts: {type: 'integer', minimum: 1, maximum: 100},
    delay: durationText,
    maxDelay: durationText,
    multiplier: {type: 'number', minimum: 1},
    jitter: {enum: ['none', 'full', 'equal']},
    on: {type: 'array', items: errorClassName, uniqueItems: true},
    retryAfter: {type: 'boolean'},
    budget: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ratio: {type: 'number', minimum: 0},
        minPerSecond: {type: 'number', minimum: 0},
        maxBalance: {type: 'number', minimum: 1},
      },
    },
  },
}

export const costsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    Object.entries(COST_LIMITS).map(([name, limit]) => [
      name,
      {type: limit.integer ? 'integer' : 'number', minimum: 0, maximum: limit.max},
    ]),
  ),
}

const switchesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    faults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        llmLatencyMultiplier: {type: 'number', minimum: 0},
        llmErrorRate: {type: 'number', minimum: 0, maximum: 1},
        dbDelayMs: {type: 'number', minimum: 0},
        pausedConsumers: {type: 'array', items: {type: 'string'}},
      },
    },
    interventions: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        ['gradualInvalidation', 'llmBreakerFallback', 'queryResultCache', 'prioritisation', 'queueBetweenServices'].map(
          (name) => [name, {type: 'boolean'}],
        ),
      ),
    },
    costs: costsSchema,
  },
}

/** A calibration file (stacks/reference/calibrations/NAME.yaml). */
export const calibrationSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['costs'],
  properties: {description: {type: 'string'}, costs: costsSchema},
}

export const profileSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: {type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$'},
    description: {type: 'string'},
    calibration: {type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$'},
    target: {type: 'string', minLength: 1},
    admin: {type: 'string', minLength: 1},
    duration: durationText,
    warmup: durationText,
    warmupBefore: {enum: ['run', 'each-variant']},
    rate: {type: 'number', exclusiveMinimum: 0},
    model: {enum: ['open', 'closed']},
    vus: {type: 'integer', minimum: 1, maximum: 100_000},
    thinkTime: durationText,
    maxInFlight: {type: 'integer', minimum: 1},
    whenCapped: {enum: ['queue', 'drop']},
    lateAfter: durationText,
    sendPrecision: {enum: ['auto', 'clock', 'spin', 'timer']},
    connections: {type: 'integer', minimum: 1},
    timeout: durationText,
    seed: {type: 'integer'},
    interval: durationText,
    drainTimeout: durationText,
    arrival: {enum: ['uniform', 'poisson']},
    stages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['curve'],
        properties: {
          name: {type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$'},
          curve: {enum: ['constant', 'poisson', 'ramp', 'step', 'peak']},
          duration: spanText,
          arrival: {enum: ['uniform', 'poisson']},
          rate: rateValue,
          from: rateValue,
          to: rateValue,
          steps: {type: 'integer', minimum: 1, maximum: 1000},
          factor: {type: 'number', exclusiveMinimum: 0},
          shape: {
            type: 'object',
            additionalProperties: false,
            properties: Object.fromEntries(
              ['baseline', 'rampUp', 'hold', 'rampDown'].map((name) => [name, {type: 'number', minimum: 0}]),
            ),
          },
        },
      },
    },
    population: {
      type: 'object',
      additionalProperties: false,
      properties: {
        users: {type: 'integer', minimum: 1, maximum: 10_000_000},
        zipf: {type: 'number', minimum: 0},
        content: {
          type: 'object',
          additionalProperties: false,
          properties: {
            count: {type: 'integer', minimum: 1, maximum: 10_000_000},
            prefix: {type: 'string'},
            zipf: {type: 'number', minimum: 0},
          },
        },
      },
    },
    vars: {type: 'object', additionalProperties: {type: ['string', 'number', 'boolean']}},
    requests: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          use: {enum: ['generate', 'events', 'recommendations', 'metadata']},
          name: {type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$'},
          metric: {type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$'},
          weight: {type: 'number', exclusiveMinimum: 0},
          method: {
            enum: [
              'GET',
              'HEAD',
              'POST',
              'PUT',
              'PATCH',
              'DELETE',
              'OPTIONS',
              'get',
              'head',
              'post',
              'put',
              'patch',
              'delete',
              'options',
            ],
          },
          path: {type: 'string', pattern: '^/'},
          headers: templateHeaders,
          body: {type: ['string', 'object', 'array']},
          timeout: durationText,
          poll: {
            type: 'object',
            additionalProperties: false,
            properties: {interval: durationText, timeout: durationText},
          },
        },
      },
    },
    retry: retrySchema,
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at'],
        properties: {
          at: spanText,
          action: {enum: ['switches', 'reset', 'cache-flush', 'content-drop', ...COMPONENT_FAULTS]},
          switches: switchesSchema,
          count: {type: 'integer', minimum: 1},
          component: {type: 'string', minLength: 1},
        },
      },
    },
    variants: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: {type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$'},
          description: {type: 'string'},
          retry: retrySchema,
          timeout: durationText,
          switches: switchesSchema,
        },
      },
    },
    scrape: {type: 'array', items: {type: 'string', minLength: 1}},
    // Checked by readSlaTargets, which also parses each threshold.
    sla: {},
  },
}
