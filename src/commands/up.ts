import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {durationFlag} from '../cli/flags.js'
import type {UpResult} from '../lib/stack/drivers/types.js'

export interface UpCommandResult extends UpResult {
  /** Why this driver was used, e.g. "auto: no Docker engine answers". */
  driverReason: string
}

export default class Up extends StreamctlCommand<typeof Up> {
  static override summary = 'Bring the stack up and wait until every component is healthy.'
  static override description = `Drivers: compose (docker compose with real images), local (every component a process on this machine: the embedded broker, the services, and the PostgreSQL/Redis/RabbitMQ already listening here — isolated by a database, key prefix and vhost — or private ones started from the installed binaries), external (endpoints you give; nothing is started). auto picks compose when a Docker engine answers, local otherwise.

Idempotent: components that are already up and healthy are left alone, and a component that died is restarted on its own. A component that does not become healthy is reported with the tail of its log, and the command exits 3.

The gateway's admin API (faults, interventions, cache flush, content drop) answers only with its token. local and compose make one on the first up and keep it in the stack's state directory (admin-token, mode 0600), where later ups and bench find it; with external, give the token your gateway runs with (--admin-token or STREAMCTL_ADMIN_TOKEN) and it is recorded there.`
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --driver local --wait-timeout 2m',
    '<%= config.bin %> up --driver external --kafka-brokers kafka-1:9092 --database-url postgres://app@db/app --redis-url redis://cache:6379 --amqp-url amqp://mq --service gateway=http://gw:8080',
  ]
  static override flags = {
    driver: Flags.string({
      options: ['auto', 'compose', 'local', 'external'],
      default: 'auto',
      description: 'How to run the stack.',
    }),
    'wait-timeout': durationFlag({
      default: 120_000,
      description: 'How long to wait for each component to become healthy.',
    }),
    'own-servers': Flags.boolean({
      description: 'local: start private PostgreSQL, Redis and RabbitMQ even when shared ones answer.',
    }),
    build: Flags.boolean({description: 'compose: rebuild the streamctl services image.'}),
    'kafka-brokers': Flags.string({
      helpGroup: 'EXTERNAL',
      description: 'external: comma-separated bootstrap brokers [env: KAFKA_BROKERS]',
    }),
    'database-url': Flags.string({helpGroup: 'EXTERNAL', description: 'external: PostgreSQL URL [env: DATABASE_URL]'}),
    'redis-url': Flags.string({helpGroup: 'EXTERNAL', description: 'external: Redis URL [env: REDIS_URL]'}),
    'amqp-url': Flags.string({helpGroup: 'EXTERNAL', description: 'external: RabbitMQ URL [env: AMQP_URL]'}),
    'schema-registry-url': Flags.string({
      helpGroup: 'EXTERNAL',
      description: 'external: schema registry URL [env: SCHEMA_REGISTRY_URL]',
    }),
    service: Flags.string({
      helpGroup: 'EXTERNAL',
      multiple: true,
      description: 'external: name=URL of a service [env: <NAME>_URL]',
    }),
    'admin-token': Flags.string({
      helpGroup: 'EXTERNAL',
      description:
        "external: the ADMIN_TOKEN the gateway runs with, recorded for bench's admin calls (the environment keeps it out of the process list) [env: STREAMCTL_ADMIN_TOKEN]",
    }),
    stack: stackFlag,
  }

  async run(): Promise<UpCommandResult> {
    const {flags} = this
    const stack = await this.loadStack(flags.stack)
    const {selectDriver} = await import('../lib/stack/drivers/select-driver.js')
    const {stateDirFor} = await import('../lib/stack/state-dir.js')
    const external = {
      ...(flags['kafka-brokers'] ? {kafkaBrokers: flags['kafka-brokers']} : {}),
      ...(flags['database-url'] ? {databaseUrl: flags['database-url']} : {}),
      ...(flags['redis-url'] ? {redisUrl: flags['redis-url']} : {}),
      ...(flags['amqp-url'] ? {amqpUrl: flags['amqp-url']} : {}),
      ...(flags['schema-registry-url'] ? {schemaRegistryUrl: flags['schema-registry-url']} : {}),
      ...(flags.service ? {services: flags.service} : {}),
      ...(flags['admin-token'] ? {adminToken: flags['admin-token']} : {}),
    }
    const {driver, reason} = await selectDriver(flags.driver as 'auto', external)
    const reporter = await this.reporter()
    reporter.info(`stack "${stack.manifest.name}": ${driver.name} driver (${reason})`)
    let result: UpResult
    try {
      result = await driver.up(
        {stack, stateDir: stateDirFor(stack.manifest.name), reporter, env: process.env},
        {
          waitTimeoutMs: flags['wait-timeout'],
          ownServers: flags['own-servers'],
          build: flags.build,
        },
      )
    } finally {
      await reporter.close()
    }
    this.print(
      result.changed
        ? `stack "${result.stack}" is up (${result.driver} driver).`
        : `stack "${result.stack}" was already up: nothing changed.`,
    )
    for (const component of result.components)
      this.print(
        `  ${component.name.padEnd(18)} ${component.action.padEnd(9)} ${component.address}${component.pid ? `  pid ${component.pid}` : ''}`,
      )
    if (result.adminTokenFile) this.print(`admin API token: ${result.adminTokenFile} (mode 0600)`)
    return {...result, driverReason: reason}
  }
}
