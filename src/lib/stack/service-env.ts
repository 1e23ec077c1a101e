// The environment a reference-stack service is started with: where it listens and where every
// other part of the stack is, and for the gateway the admin API's token. Used by the local driver
// (and mirrored by compose.yaml).
import {ADMIN_API_SERVICE} from './admin-token.js'
import type {Component} from './manifest.js'
import type {Endpoints} from './state.js'

/** `llm-sim` → `LLM_SIM`. */
export function envName(component: string): string {
  return component.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

/** Whether a component runs the service that serves the admin API (and so needs ADMIN_TOKEN). */
export function servesAdminApi(component: Component): boolean {
  return component.kind === 'service' && (component.service ?? component.name) === ADMIN_API_SERVICE
}

export function serviceEnv(
  component: Component,
  endpoints: Endpoints,
  components: Component[],
  stackName: string,
  adminToken?: string,
): Record<string, string> {
  const env: Record<string, string> = {
    STREAMCTL_STACK: stackName,
    HOST: '127.0.0.1',
    PORT: String(component.port),
    DATABASE_URL: endpoints.databaseUrl,
    REDIS_URL: endpoints.redisUrl,
    REDIS_KEY_PREFIX: endpoints.redisKeyPrefix,
    AMQP_URL: endpoints.amqpUrl,
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    ...(endpoints.schemaRegistryUrl ? {SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl} : {}),
    ...(adminToken && servesAdminApi(component) ? {ADMIN_TOKEN: adminToken} : {}),
  }
  for (const [name, port] of Object.entries(component.ports)) env[`${envName(name)}_PORT`] = String(port)
  for (const other of components) {
    if (other.kind !== 'service') continue
    const url = endpoints.services[other.name]
    if (url) env[`${envName(other.name)}_URL`] = url
    for (const [name, port] of Object.entries(other.ports))
      env[`${envName(other.name)}_${envName(name)}_ADDR`] = `127.0.0.1:${port}`
  }
  return {...env, ...component.env}
}
