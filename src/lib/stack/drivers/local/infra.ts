// PostgreSQL, Redis and RabbitMQ for the local driver: reuse the servers already listening on this
// machine, isolated by a dedicated database, key prefix and vhost; or start private ones from the
// installed binaries, with data under the stack's state and free ports.
import {access, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../../../errors.js'
import {findBinary, runQuietly} from '../../../host/binaries.js'
import {freePort} from '../../../host/ports.js'
import {spawnDetached} from '../../../host/processes.js'
import {checkHealth} from '../../health.js'
import type {Component} from '../../manifest.js'
import type {ComponentState} from '../../state.js'
import {asServiceUser, isRoot, privateDataDir} from './service-user.js'

export const LOOPBACK = '127.0.0.1'

export interface InfraContext {
  stackName: string
  stateDir: string
  logDir: string
  ownServers: boolean
  waitTimeoutMs: number
  warn: (message: string) => void
}

export interface ProvidedInfra {
  state: ComponentState
  action: 'reused' | 'started'
}

export type InfraKind = 'postgres' | 'redis' | 'rabbitmq'

/**
 * Reuses the shared server when one answers on the manifest's port (and --own-servers is off),
 * otherwise launches a private one. A launched server is not waited for: the caller records it
 * in the state first, so a failed start can still be stopped by `down`.
 */
export async function provideInfra(
  component: Component & {kind: InfraKind},
  context: InfraContext,
): Promise<ProvidedInfra> {
  const answering = !context.ownServers && (await checkHealth(component, LOOPBACK, component.port)).healthy
  if (answering)
    return {
      state: {
        name: component.name,
        kind: component.kind,
        mode: 'reused',
        host: LOOPBACK,
        port: component.port,
        ports: {},
      },
      action: 'reused',
    }
  return {state: await launchPrivate(component, context), action: 'started'}
}

/**
 * Creates what isolates the stack on a ready server: its database (PostgreSQL) or vhost
 * (RabbitMQ, shared servers only). Redis is isolated by the key prefix alone.
 */
export async function isolate(
  component: Component,
  state: ComponentState,
  context: InfraContext,
): Promise<ComponentState['created']> {
  if (component.kind === 'postgres') {
    const database = component.database ?? context.stackName.replace(/[^a-z0-9_]/g, '_')
    await ensureDatabase(state.port, database)
    return {database}
  }
  if (component.kind === 'rabbitmq') {
    if (state.mode === 'started') return {vhost: '/'}
    const vhost = component.vhost ?? context.stackName
    if (await ensureVhost(vhost)) return {vhost}
    context.warn(
      `could not create RabbitMQ vhost "${vhost}" (rabbitmqctl needs root or the Erlang cookie); using the default vhost "/"`,
    )
    return {vhost: '/'}
  }
  return undefined
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const {default: pg} = await import('pg')
  const client = new pg.Client({host: LOOPBACK, port, user: process.env.PGUSER ?? 'postgres', database: 'postgres'})
  await client.connect()
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`)
  } catch (error) {
    // Two `up`s racing to create the same database: the loser sees 42P04 (duplicate_database).
    if ((error as {code?: string}).code !== '42P04') throw error
  } finally {
    await client.end()
  }
}

async function ensureVhost(vhost: string): Promise<boolean> {
  if (vhost === '/') return true
  const ctl = await findBinary('rabbitmqctl')
  if (!ctl) return false
  const add = await runQuietly(ctl, ['add_vhost', vhost], 30_000)
  if (!add.ok && !/already exists|vhost_already_exists/i.test(add.stdout + add.stderr)) return false
  const permit = await runQuietly(ctl, ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], 30_000)
  return permit.ok
}

interface PrivateServer {
  binaries: string[]
  user?: string
  prepare?: (dataDir: string, port: number) => Promise<void>
  command: (
    dataDir: string,
    port: number,
    binaries: string[],
  ) => {command: string; args: string[]; env?: NodeJS.ProcessEnv}
}

const PRIVATE_SERVERS: Record<InfraKind, PrivateServer> = {
  postgres: {
    binaries: ['initdb', 'postgres'],
    user: 'postgres',
    command: (dataDir, port, [, postgres]) =>
      asServiceUser('postgres', postgres!, [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${LOOPBACK}`,
        '-k',
        dataDir,
      ]),
  },
  redis: {
    binaries: ['redis-server'],
    command: (dataDir, port, [redis]) => ({
      command: redis!,
      args: [
        '--port',
        String(port),
        '--bind',
        LOOPBACK,
        '--dir',
        dataDir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--daemonize',
        'no',
      ],
    }),
  },
  rabbitmq: {
    binaries: ['rabbitmq-server'],
    user: 'rabbitmq',
    // The distribution's config may pin the listener; a private config file replaces it.
    prepare: (dataDir, port) =>
      writeFile(
        path.join(dataDir, 'rabbitmq.conf'),
        `listeners.tcp.local = ${LOOPBACK}:${port}\nloopback_users = none\n`,
      ),
    command: (dataDir, port, [server]) => ({
      command: server!,
      args: [],
      env: {
        RABBITMQ_CONFIG_FILE: path.join(dataDir, 'rabbitmq.conf'),
        RABBITMQ_NODENAME: `streamctl-${port}@localhost`,
        RABBITMQ_DIST_PORT: String(port + 1),
        RABBITMQ_MNESIA_BASE: path.join(dataDir, 'mnesia'),
        RABBITMQ_LOG_BASE: path.join(dataDir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dataDir, 'enabled_plugins'),
        RABBITMQ_PID_FILE: path.join(dataDir, 'rabbitmq.pid'),
      },
    }),
  },
}

async function launchPrivate(component: Component & {kind: InfraKind}, context: InfraContext): Promise<ComponentState> {
  const spec = PRIVATE_SERVERS[component.kind]
  const binaries = await Promise.all(spec.binaries.map((name) => findBinary(name)))
  const missing = spec.binaries.filter((_, index) => !binaries[index])
  if (missing.length > 0) {
    throw new StreamctlError(
      'STACK_NOT_READY',
      `${component.name}: nothing answers on ${LOOPBACK}:${component.port} and ${missing.join(', ')} is not installed to start a private one`,
      {
        hint: '`streamctl doctor` says how to install or start it; or use --driver external with its URL.',
      },
    )
  }
  const dataDir = await privateDataDir(context.stateDir, context.stackName, component.kind, spec.user ?? '')
  const port = await freePort()
  if (component.kind === 'postgres') await initPostgres(dataDir, binaries[0]!)
  await spec.prepare?.(dataDir, port)
  if (spec.user && isRoot()) await runQuietly('chown', ['-R', `${spec.user}:`, dataDir])
  const launch = spec.command(dataDir, port, binaries as string[])
  const logFile = path.join(context.logDir, `${component.name}.log`)
  const identity = await spawnDetached(launch.command, launch.args, {logFile, env: {...process.env, ...launch.env}})
  const state: ComponentState = {
    name: component.name,
    kind: component.kind,
    mode: 'started',
    host: LOOPBACK,
    port,
    ports: {},
    process: {...identity, command: [launch.command, ...launch.args]},
    logFile,
    dataDir,
    startedAt: new Date().toISOString(),
  }
  return state
}

async function initPostgres(dataDir: string, initdb: string): Promise<void> {
  const initialised = await access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  )
  if (initialised) return
  const {command, args} = asServiceUser('postgres', initdb, [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-instructions',
  ])
  const result = await runQuietly(command, args, 120_000)
  if (!result.ok)
    throw new StreamctlError(
      'STACK_NOT_READY',
      `initdb failed for ${dataDir}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
    )
}
