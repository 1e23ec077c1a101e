// Faults, interventions and simulated costs (api.ts `Switches`), switched at run time through the gateway's admin API.
// They live in one Redis hash (field `faults.llmErrorRate` → JSON value), so concurrent PATCHes of
// different switches never overwrite each other, and every change is announced on a pub/sub
// channel: each service keeps a current copy and shows it in /metrics.
import type {Redis} from 'ioredis'
import {
  COST_LIMITS,
  DEFAULT_SWITCHES,
  type Costs,
  type Faults,
  type Interventions,
  type Switches,
} from '../../lib/streamflow/api.js'
import {channelName, openRedis} from './connections.js'
import {badRequest} from '../http/errors.js'
import {describe, rejectUnknownFields, requireObject} from '../http/validate.js'
import type {Logger} from '../telemetry/log.js'
import type {ServiceMetrics} from '../telemetry/metrics.js'
import {RedisKeys} from '../redis/keys.js'

export type SwitchesPatch = {faults?: Partial<Faults>; interventions?: Partial<Interventions>; costs?: Partial<Costs>}

type FieldCheck = (value: unknown, field: string) => unknown

const number =
  (min: number, max: number, integer = false): FieldCheck =>
  (value, field) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw badRequest(`${field} must be a number, not ${describe(value)}`)
    if (value < min || value > max) throw badRequest(`${field} must be between ${min} and ${max}`)
    if (integer && !Number.isInteger(value)) throw badRequest(`${field} must be a whole number, not ${value}`)
    return value
  }
const boolean: FieldCheck = (value, field) => {
  if (typeof value !== 'boolean') throw badRequest(`${field} must be true or false, not ${describe(value)}`)
  return value
}
const names: FieldCheck = (value, field) => {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0 || item.length > 64))
    throw badRequest(`${field} must be an array of consumer names`)
  return [...new Set(value as string[])]
}

const FAULT_CHECKS: Record<keyof Faults, FieldCheck> = {
  llmLatencyMultiplier: number(0.01, 100),
  llmErrorRate: number(0, 1),
  dbDelayMs: number(0, 60_000),
  pausedConsumers: names,
}
const INTERVENTION_CHECKS: Record<keyof Interventions, FieldCheck> = Object.fromEntries(
  Object.keys(DEFAULT_SWITCHES.interventions).map((name) => [name, boolean]),
) as Record<keyof Interventions, FieldCheck>
const COST_CHECKS: Record<keyof Costs, FieldCheck> = Object.fromEntries(
  Object.entries(COST_LIMITS).map(([name, limit]) => [name, number(0, limit.max, limit.integer)]),
) as Record<keyof Costs, FieldCheck>

/** Checks an admin PATCH body; answers 400 naming the first bad field. Returns hash fields to set. */
export function parseSwitchesPatch(body: unknown): Record<string, string> {
  const patch = requireObject(body)
  rejectUnknownFields(patch, ['faults', 'interventions', 'costs'])
  const fields: Record<string, string> = {}
  for (const [group, checks] of [
    ['faults', FAULT_CHECKS],
    ['interventions', INTERVENTION_CHECKS],
    ['costs', COST_CHECKS],
  ] as const) {
    if (patch[group] === undefined) continue
    if (typeof patch[group] !== 'object' || patch[group] === null || Array.isArray(patch[group]))
      throw badRequest(`${group} must be an object`)
    const values = patch[group] as Record<string, unknown>
    rejectUnknownFields(values, Object.keys(checks), `${group}.`)
    for (const [name, value] of Object.entries(values))
      fields[`${group}.${name}`] = JSON.stringify(
        (checks as Record<string, FieldCheck>)[name]!(value, `${group}.${name}`),
      )
  }
  return fields
}

function fromHash(hash: Record<string, string>): Switches {
  const switches: Switches = structuredClone(DEFAULT_SWITCHES)
  for (const [field, raw] of Object.entries(hash)) {
    const [group, name] = field.split('.') as [keyof Switches, string]
    if (!(group in switches) || !(name in switches[group])) continue
    try {
      ;(switches[group] as unknown as Record<string, unknown>)[name] = JSON.parse(raw)
    } catch {
      // A hand-edited bad value keeps the default.
    }
  }
  return switches
}

export class SwitchesStore {
  current: Switches = structuredClone(DEFAULT_SWITCHES)
  private readonly listeners: Array<(switches: Switches) => void> = []

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
  ) {}

  /** Reads the switches and follows their changes. */
  static async open(redisUrl: string, keyPrefix: string, log?: Logger): Promise<SwitchesStore> {
    const [redis, subscriber] = await Promise.all([
      openRedis(redisUrl, keyPrefix, log),
      openRedis(redisUrl, keyPrefix, log),
    ])
    const store = new SwitchesStore(redis, subscriber)
    subscriber.on('message', () => {
      store.refresh().catch((error: Error) => log?.warn('cannot read switches', {error: error.message}))
    })
    await subscriber.subscribe(channelName(keyPrefix, RedisKeys.switchesChannel))
    await store.refresh()
    return store
  }

  onChange(listener: (switches: Switches) => void): void {
    this.listeners.push(listener)
    listener(this.current)
  }

  async refresh(): Promise<Switches> {
    this.current = fromHash(await this.redis.hgetall(RedisKeys.switches))
    for (const listener of this.listeners) listener(this.current)
    return this.current
  }

  /** Applies a checked PATCH (see parseSwitchesPatch) and tells every service. */
  async patch(fields: Record<string, string>): Promise<Switches> {
    if (Object.keys(fields).length > 0) {
      const prefix = this.redis.options.keyPrefix ?? ''
      await this.redis
        .multi()
        .hset(RedisKeys.switches, fields)
        .publish(channelName(prefix, RedisKeys.switchesChannel), JSON.stringify(Object.keys(fields)))
        .exec()
    }
    return this.refresh()
  }

  /** Back to the defaults (used by tests and `bench` between runs). */
  async reset(): Promise<Switches> {
    const prefix = this.redis.options.keyPrefix ?? ''
    await this.redis
      .multi()
      .del(RedisKeys.switches)
      .publish(channelName(prefix, RedisKeys.switchesChannel), '"reset"')
      .exec()
    return this.refresh()
  }

  async close(): Promise<void> {
    this.subscriber.disconnect()
    this.redis.disconnect()
  }
}

/** Shows the current switches as gauges in a service's /metrics. */
export function reportSwitches(metrics: ServiceMetrics, switches: Switches): void {
  for (const [name, value] of Object.entries(switches.faults))
    metrics.fault.set({name}, Array.isArray(value) ? value.length : Number(value))
  for (const [name, value] of Object.entries(switches.interventions)) metrics.intervention.set({name}, value ? 1 : 0)
  for (const [name, value] of Object.entries(switches.costs)) metrics.cost.set({name}, value)
}
