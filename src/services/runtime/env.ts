// Service configuration from environment variables with documented defaults. A bad value stops the
// service at start with an error naming the variable, never a stack trace later. What every service
// reads is BaseConfig below (also listed in docs/services.md); each service reads its own settings
// in its config.ts with these readers, and the settings several services share in shared-settings.ts.
import {StreamctlError} from '../../lib/errors.js'

export type Env = Record<string, string | undefined>

function invalid(name: string, value: string, expected: string): StreamctlError {
  return new StreamctlError('SERVICE_CONFIG_INVALID', `${name}=${JSON.stringify(value)}: expected ${expected}`, {
    hint: `Fix or unset ${name}; unset, its documented default applies.`,
  })
}

export function envString(env: Env, name: string, fallback: string): string {
  const value = env[name]
  return value === undefined || value === '' ? fallback : value
}

export function envNumber(
  env: Env,
  name: string,
  fallback: number,
  range: {min?: number; max?: number; integer?: boolean} = {},
): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  const min = range.min ?? -Infinity
  const max = range.max ?? Infinity
  if (!Number.isFinite(value) || value < min || value > max || (range.integer && !Number.isInteger(value))) {
    throw invalid(
      name,
      raw,
      `${range.integer ? 'an integer' : 'a number'}${Number.isFinite(min) ? ` >= ${min}` : ''}${Number.isFinite(max) ? ` <= ${max}` : ''}`,
    )
  }
  return value
}

export function envBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw invalid(name, raw, 'true or false')
}

export function envList(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

/** What every service reads. Defaults suit a developer machine with the shared servers. */
export interface BaseConfig {
  /** HOST, default 127.0.0.1. */
  host: string
  /** PORT, default the service's own (0 picks a free port). */
  port: number
  /** DATABASE_URL, default postgres://postgres@127.0.0.1:5432/streamctl. */
  databaseUrl: string
  /** REDIS_URL, default redis://127.0.0.1:6379. */
  redisUrl: string
  /** REDIS_KEY_PREFIX, default `streamctl:`; every key and channel of the stack starts with it. */
  redisKeyPrefix: string
  /** AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/streamctl. */
  amqpUrl: string
  /** KAFKA_BROKERS, comma-separated, default 127.0.0.1:9092. */
  kafkaBrokers: string[]
  /** SHUTDOWN_TIMEOUT_MS, default 10000: how long a shutdown waits for in-flight work. */
  shutdownTimeoutMs: number
  /** MAX_IN_FLIGHT, default 1024: concurrent HTTP requests before fast 503s (load shedding). */
  maxInFlight: number
  /** MAX_BODY_BYTES, default 65536. */
  maxBodyBytes: number
  /** HTTP_HEADERS_TIMEOUT_MS, default 10000: a request's headers must arrive within it (408 after, and the connection closes). */
  headersTimeoutMs: number
  /** HTTP_REQUEST_TIMEOUT_MS, default 30000 (or the header timeout, if longer): the whole request, body included; at least the header timeout. */
  requestTimeoutMs: number
}

export function readBaseConfig(env: Env, defaultPort: number): BaseConfig {
  return {
    host: envString(env, 'HOST', '127.0.0.1'),
    port: envNumber(env, 'PORT', defaultPort, {min: 0, max: 65535, integer: true}),
    databaseUrl: envString(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/streamctl'),
    redisUrl: envString(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
    redisKeyPrefix: envString(env, 'REDIS_KEY_PREFIX', 'streamctl:'),
    amqpUrl: envString(env, 'AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672/streamctl'),
    kafkaBrokers: envList(env, 'KAFKA_BROKERS', ['127.0.0.1:9092']),
    shutdownTimeoutMs: envNumber(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, {min: 0, integer: true}),
    maxInFlight: envNumber(env, 'MAX_IN_FLIGHT', 1024, {min: 1, integer: true}),
    maxBodyBytes: envNumber(env, 'MAX_BODY_BYTES', 65_536, {min: 1, integer: true}),
    ...readHttpTimeouts(env),
  }
}

function readHttpTimeouts(env: Env): Pick<BaseConfig, 'headersTimeoutMs' | 'requestTimeoutMs'> {
  const headersTimeoutMs = envNumber(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, {min: 1, integer: true})
  const requestTimeoutMs = envNumber(env, 'HTTP_REQUEST_TIMEOUT_MS', Math.max(30_000, headersTimeoutMs), {
    min: headersTimeoutMs,
    integer: true,
  })
  return {headersTimeoutMs, requestTimeoutMs}
}
