// Client endpoints of a stack whose components run on known hosts and ports (local and compose
// drivers). The external driver takes its endpoints from URLs instead.
import type {StackManifest} from './manifest.js'
import type {ComponentState, Endpoints} from './state.js'

export function endpointsFromComponents(
  manifest: StackManifest,
  components: Record<string, ComponentState>,
): Endpoints {
  const ofKind = (kind: string) =>
    manifest.components
      .filter((component) => component.kind === kind)
      .map((component) => components[component.name])
      .filter((state) => state !== undefined)
  const kafka = ofKind('kafka')
  const registry = ofKind('schema-registry')[0]
  const postgres = ofKind('postgres')[0]
  const redis = ofKind('redis')[0]
  const rabbitmq = ofKind('rabbitmq')[0]
  const redisComponent = manifest.components.find((component) => component.kind === 'redis')
  const pgUser = process.env.PGUSER ?? 'postgres'
  const database =
    postgres?.created?.database ??
    manifest.components.find((component) => component.kind === 'postgres')?.database ??
    manifest.name
  const vhost =
    rabbitmq?.created?.vhost ?? manifest.components.find((component) => component.kind === 'rabbitmq')?.vhost ?? '/'
  return {
    kafkaBrokers: kafka.map((state) => `${state.host}:${state.port}`),
    ...(registry ? {schemaRegistryUrl: `http://${registry.host}:${registry.port}`} : {}),
    databaseUrl: postgres ? `postgres://${pgUser}@${postgres.host}:${postgres.port}/${database}` : '',
    redisUrl: redis ? `redis://${redis.host}:${redis.port}` : '',
    redisKeyPrefix: redisComponent?.keyPrefix ?? `${manifest.name}:`,
    amqpUrl: rabbitmq ? `amqp://guest:guest@${rabbitmq.host}:${rabbitmq.port}/${encodeURIComponent(vhost)}` : '',
    services: Object.fromEntries(
      manifest.components
        .filter((component) => component.kind === 'service' && components[component.name])
        .map((component) => [
          component.name,
          `http://${components[component.name]!.host}:${components[component.name]!.port}`,
        ]),
    ),
  }
}
