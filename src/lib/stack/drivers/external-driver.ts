// The external driver: the stack runs elsewhere (a real Kafka cluster, managed databases, a
// Kubernetes deployment). streamctl starts nothing; `up` checks that every endpoint answers and
// records them so provision, status and bench can use them. The gateway's admin token is the one
// its operator set: given by --admin-token or STREAMCTL_ADMIN_TOKEN, recorded like the endpoints.
import path from 'node:path'
import {StreamctlError} from '../../errors.js'
import {ADMIN_TOKEN_ENV, adminTokenFile, readAdminToken, writeAdminToken} from '../admin-token.js'
import {checkHealth} from '../health.js'
import type {Component} from '../manifest.js'
import {envName, servesAdminApi} from '../service-env.js'
import {
  readState,
  removeState,
  STATE_FILE,
  withStateLock,
  writeState,
  type ComponentState,
  type Endpoints,
  type StackState,
} from '../state.js'
import type {ComponentStatus, DownResult, DriverContext, LogOptions, StackDriver, UpOptions, UpResult} from './types.js'

export interface ExternalEndpointsInput {
  kafkaBrokers?: string
  databaseUrl?: string
  redisUrl?: string
  amqpUrl?: string
  schemaRegistryUrl?: string
  /** `name=url` pairs for the HTTP services. */
  services?: string[]
  /** The ADMIN_TOKEN the external gateway was started with. */
  adminToken?: string
}

/** Flags win over the environment: KAFKA_BROKERS, DATABASE_URL, REDIS_URL, AMQP_URL, SCHEMA_REGISTRY_URL, <SERVICE>_URL. */
export function externalEndpoints(
  manifest: {name: string; components: Component[]},
  input: ExternalEndpointsInput,
  env: NodeJS.ProcessEnv,
): Endpoints {
  const pick = (flag: string | undefined, variable: string) => flag ?? env[variable]
  const services: Record<string, string> = {}
  for (const component of manifest.components.filter((candidate) => candidate.kind === 'service')) {
    const url = env[`${envName(component.name)}_URL`]
    if (url) services[component.name] = url.replace(/\/+$/, '')
  }
  for (const pair of input.services ?? []) {
    const match = /^([a-z][a-z0-9_.-]*)=(https?:\/\/.+)$/.exec(pair)
    if (!match) throw new StreamctlError('INVALID_FLAG', `--service ${pair}: expected name=http://host:port`)
    services[match[1]!] = match[2]!.replace(/\/+$/, '')
  }
  const redisComponent = manifest.components.find((component) => component.kind === 'redis')
  const registry = pick(input.schemaRegistryUrl, 'SCHEMA_REGISTRY_URL')
  return {
    kafkaBrokers: (pick(input.kafkaBrokers, 'KAFKA_BROKERS') ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
    ...(registry ? {schemaRegistryUrl: registry} : {}),
    databaseUrl: pick(input.databaseUrl, 'DATABASE_URL') ?? '',
    redisUrl: pick(input.redisUrl, 'REDIS_URL') ?? '',
    redisKeyPrefix: redisComponent?.keyPrefix ?? `${manifest.name}:`,
    amqpUrl: pick(input.amqpUrl, 'AMQP_URL') ?? '',
    services,
  }
}

/** Host and port of each manifest component, from the endpoints; a missing one names its flag. */
function locate(component: Component, endpoints: Endpoints): {host: string; port: number; path?: string} {
  const fromUrl = (url: string, defaultPort: number, flag: string) => {
    if (!url)
      throw new StreamctlError('USAGE', `the external driver needs ${flag} for component "${component.name}"`, {
        hint: `Pass ${flag} or set its environment variable.`,
      })
    const parsed = new URL(url)
    return {host: parsed.hostname, port: Number(parsed.port || defaultPort), path: parsed.pathname}
  }
  switch (component.kind) {
    case 'kafka': {
      const first = endpoints.kafkaBrokers[0]
      if (!first) throw new StreamctlError('USAGE', 'the external driver needs --kafka-brokers (or KAFKA_BROKERS)')
      const [host, port] = first.split(':')
      return {host: host!, port: Number(port ?? 9092)}
    }
    case 'schema-registry':
      return fromUrl(endpoints.schemaRegistryUrl ?? '', 8081, '--schema-registry-url (SCHEMA_REGISTRY_URL)')
    case 'postgres':
      return fromUrl(endpoints.databaseUrl, 5432, '--database-url (DATABASE_URL)')
    case 'redis':
      return fromUrl(endpoints.redisUrl, 6379, '--redis-url (REDIS_URL)')
    case 'rabbitmq':
      return fromUrl(endpoints.amqpUrl, 5672, '--amqp-url (AMQP_URL)')
    case 'service':
      return fromUrl(
        endpoints.services[component.name] ?? '',
        80,
        `--service ${component.name}=URL (${envName(component.name)}_URL)`,
      )
  }
}

export class ExternalDriver implements StackDriver {
  readonly name = 'external' as const

  constructor(private readonly input: ExternalEndpointsInput = {}) {}

  async up(context: DriverContext, _options: UpOptions): Promise<UpResult> {
    const {stack, stateDir, reporter, env} = context
    const endpoints = externalEndpoints(stack.manifest, this.input, env)
    const located = stack.manifest.components.map((component) => ({component, ...locate(component, endpoints)}))
    return withStateLock(stateDir, async () => {
      const previous = await readState(stateDir)
      const checks = await Promise.all(
        located.map(async ({component, host, port}) => {
          const task = reporter.task(component.name)
          const health = await checkHealth(component, host, port)
          if (health.healthy) task.succeed(`${host}:${port}`)
          else task.fail(health.detail)
          return {component, host, port, health}
        }),
      )
      const failing = checks.filter((check) => !check.health.healthy)
      if (failing.length > 0) {
        throw new StreamctlError(
          'STACK_NOT_READY',
          `not every external endpoint answers:\n${failing.map((check) => `  ${check.component.name} at ${check.host}:${check.port}: ${check.health.detail}`).join('\n')}`,
          {
            hint: 'Check the URLs given by flags or environment, and that the components are running.',
            details: {failing: failing.map((check) => check.component.name)},
          },
        )
      }
      const components: Record<string, ComponentState> = Object.fromEntries(
        checks.map(({component, host, port}) => [
          component.name,
          {name: component.name, kind: component.kind, mode: 'external', host, port, ports: component.ports},
        ]),
      )
      const state: StackState = {
        schemaVersion: 1,
        stack: stack.manifest.name,
        stackDir: stack.dir,
        driver: 'external',
        updatedAt: new Date().toISOString(),
        components,
        endpoints,
      }
      await writeState(stateDir, state)
      const recorded = await readAdminToken(stateDir)
      const adminToken = this.input.adminToken || env[ADMIN_TOKEN_ENV] || recorded
      if (adminToken && adminToken !== recorded) await writeAdminToken(stateDir, adminToken)
      const gateway = stack.manifest.components.find(servesAdminApi)
      if (!adminToken && gateway)
        reporter.warn(
          `no admin token for ${gateway.name}: pass --admin-token or set ${ADMIN_TOKEN_ENV} to the ADMIN_TOKEN it runs with, or benches that switch faults and interventions get 401 from its admin API`,
        )
      const changed =
        !previous || JSON.stringify(previous.endpoints) !== JSON.stringify(endpoints) || adminToken !== recorded
      return {
        driver: 'external',
        stack: stack.manifest.name,
        changed,
        components: checks.map(({component, host, port, health}) => ({
          name: component.name,
          kind: component.kind,
          action: 'checked',
          address: `${host}:${port}`,
          ...(health.version ? {detail: health.version} : {}),
        })),
        endpoints,
        stateFile: path.join(stateDir, STATE_FILE),
        ...(adminToken ? {adminTokenFile: adminTokenFile(stateDir)} : {}),
      }
    })
  }

  async down(context: DriverContext, state: StackState): Promise<DownResult> {
    await withStateLock(context.stateDir, () => removeState(context.stateDir))
    return {
      driver: 'external',
      stack: state.stack,
      components: Object.keys(state.components).map((name) => ({
        name,
        action: 'kept',
        detail: 'external: not managed by streamctl',
      })),
      removed: [],
    }
  }

  async status(context: DriverContext, state: StackState): Promise<ComponentStatus[]> {
    const byName = new Map(context.stack.manifest.components.map((component) => [component.name, component]))
    return Promise.all(
      Object.values(state.components).map(async (component) => {
        const health = await checkHealth(
          byName.get(component.name) ?? {kind: component.kind, health: '/readyz'},
          component.host,
          component.port,
        )
        return {
          name: component.name,
          kind: component.kind,
          mode: 'external',
          address: `${component.host}:${component.port}`,
          healthy: health.healthy,
          detail: health.detail,
          ...(health.version ? {version: health.version} : {}),
        }
      }),
    )
  }

  async logs(_context: DriverContext, _state: StackState, _options: LogOptions): Promise<void> {
    throw new StreamctlError('USAGE', 'the external driver has no access to component logs', {
      hint: 'Read them where the components run (kubectl logs, your log platform).',
    })
  }
}
