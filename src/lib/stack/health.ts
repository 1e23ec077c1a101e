// Is a component up and ready? One probe per kind, speaking the component's own protocol.
import {probeAmqp, probeHttp, probeKafka, probePostgres, probeRedis, type ProbeResult} from '../host/probes.js'
import type {Readiness} from '../streamflow/api.js'
import type {Component} from './manifest.js'

export interface Health {
  healthy: boolean
  detail: string
  version?: string
}

export async function checkHealth(
  component: Pick<Component, 'kind' | 'health'>,
  host: string,
  port: number,
): Promise<Health> {
  const result = await probe(component, host, port)
  return {
    healthy: result.answers,
    detail: result.answers ? (result.note ?? 'ready') : (result.note ?? 'not answering'),
    ...(result.version ? {version: result.version} : {}),
  }
}

function probe(component: Pick<Component, 'kind' | 'health'>, host: string, port: number): Promise<ProbeResult> {
  switch (component.kind) {
    case 'kafka':
      return probeKafka(host, port)
    case 'schema-registry':
      return probeHttp(`http://${host}:${port}/subjects`)
    case 'postgres':
      return probePostgres(host, port)
    case 'redis':
      return probeRedis(host, port)
    case 'rabbitmq':
      return probeAmqp(host, port)
    case 'service':
      return probeHttp(`http://${host}:${port}${component.health}`).then(explainReadiness)
  }
}

/** A reference service's 503 from /readyz names what it waits for: say that rather than quote the body. */
function explainReadiness(result: ProbeResult & {status?: number; body?: string}): ProbeResult {
  if (result.answers || result.status !== 503 || !result.body) return result
  try {
    const readiness = JSON.parse(result.body) as Partial<Record<keyof Readiness, unknown>>
    if (Array.isArray(readiness.waiting_for) && readiness.waiting_for.length > 0)
      return {...result, note: `not ready: waiting for ${readiness.waiting_for.map(String).join(', ')}`}
  } catch {
    // Not ours: the generic note (status and body) stands.
  }
  return result
}

/** Polls until healthy or the deadline passes; returns the last health seen. */
export async function waitHealthy(
  component: Pick<Component, 'kind' | 'health'>,
  host: string,
  port: number,
  options: {
    timeoutMs: number
    intervalMs?: number
    onPoll?: (health: Health) => void
    stillAlive?: () => Promise<boolean>
  },
): Promise<Health> {
  const deadline = Date.now() + options.timeoutMs
  let health: Health = {healthy: false, detail: 'not checked yet'}
  for (;;) {
    health = await checkHealth(component, host, port)
    options.onPoll?.(health)
    if (health.healthy) return health
    if (options.stillAlive && !(await options.stillAlive()))
      return {healthy: false, detail: `process exited (${health.detail})`}
    if (Date.now() >= deadline) return health
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200))
  }
}
