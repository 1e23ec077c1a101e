// The compose driver: real images (Apache Kafka in KRaft mode, PostgreSQL, Redis, RabbitMQ,
// Prometheus) and this package's image for the services, brought up with
// `docker compose -p <project> up --wait` and provisioned afterwards by `streamctl provision`.
// The gateway's admin token (admin-token.ts, made on the first `up`) reaches it through
// STREAMCTL_ADMIN_TOKEN, which compose.yaml interpolates into its ADMIN_TOKEN.
import {spawn} from 'node:child_process'
import {access, rm} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../../../errors.js'
import {runQuietly} from '../../../host/binaries.js'
import {inspectDocker} from '../../../host/docker.js'
import {ADMIN_TOKEN_ENV, adminTokenFile, ensureAdminToken} from '../../admin-token.js'
import {endpointsFromComponents} from '../../endpoints.js'
import type {Component} from '../../manifest.js'
import {STATE_FILE, withStateLock, writeState, type ComponentState, type StackState} from '../../state.js'
import type {
  ComponentStatus,
  DownResult,
  DriverContext,
  LogOptions,
  StackDriver,
  UpOptions,
  UpResult,
} from '../types.js'
import {isContainerReady, parseComposePs, publishedPort, type ComposeContainer} from './compose-ps.js'

export const COMPOSE_FILE = 'compose.yaml'
const LOG_TAIL_LINES = 40

/** Container ports of the infrastructure images (services listen on their manifest port). */
const CONTAINER_PORTS: Partial<Record<Component['kind'], number>> = {
  kafka: 9092,
  'schema-registry': 8081,
  postgres: 5432,
  redis: 6379,
  rabbitmq: 5672,
}

export function composeProject(stackName: string): string {
  return `streamctl-${stackName}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-')
}

export class ComposeDriver implements StackDriver {
  readonly name = 'compose' as const

  async up(context: DriverContext, options: UpOptions): Promise<UpResult> {
    const {stack, stateDir, reporter} = context
    const docker = await this.requireEngine(context)
    const file = await this.composeFile(stack.dir)
    const project = composeProject(stack.manifest.name)
    return withStateLock(stateDir, async () => {
      const before = parseComposePs(
        (await this.compose(docker, project, file, ['ps', '--all', '--format', 'json'], context.env)).stdout,
      )
      const task = reporter.task(`docker compose -p ${project} up --wait`)
      const waitSeconds = Math.max(1, Math.round(options.waitTimeoutMs / 1000))
      const {token} = await ensureAdminToken(stateDir)
      const upEnv = {...context.env, [ADMIN_TOKEN_ENV]: token}
      const up = await this.compose(
        docker,
        project,
        file,
        ['up', '--detach', '--wait', '--wait-timeout', String(waitSeconds), ...(options.build ? ['--build'] : [])],
        upEnv,
        options.waitTimeoutMs + 600_000,
      )
      const after = parseComposePs(
        (await this.compose(docker, project, file, ['ps', '--all', '--format', 'json'], context.env)).stdout,
      )
      if (!up.ok) {
        task.fail(`exit ${up.exitCode}`)
        throw await this.upFailure(docker, project, file, after, up.stderr || up.stdout, context.env)
      }
      task.succeed(`${after.filter(isContainerReady).length} containers healthy`)
      const components = this.componentStates(stack.manifest.components, after)
      const state: StackState = {
        schemaVersion: 1,
        stack: stack.manifest.name,
        stackDir: stack.dir,
        driver: 'compose',
        project,
        updatedAt: new Date().toISOString(),
        components,
        endpoints: endpointsFromComponents(stack.manifest, components),
      }
      await writeState(stateDir, state)
      const wasReady = new Set(before.filter(isContainerReady).map((container) => container.Service))
      return {
        driver: 'compose',
        stack: stack.manifest.name,
        changed: stack.manifest.components.some((component) => !wasReady.has(component.name)),
        components: Object.values(components).map((component) => ({
          name: component.name,
          kind: component.kind,
          action: wasReady.has(component.name) ? 'running' : 'started',
          address: `${component.host}:${component.port}`,
        })),
        endpoints: state.endpoints,
        stateFile: path.join(stateDir, STATE_FILE),
        adminTokenFile: adminTokenFile(stateDir),
      }
    })
  }

  async down(context: DriverContext, state: StackState, options: {volumes: boolean}): Promise<DownResult> {
    const docker = await this.requireEngine(context)
    const file = await this.composeFile(state.stackDir)
    const project = state.project ?? composeProject(state.stack)
    return withStateLock(context.stateDir, async () => {
      const task = context.reporter.task(`docker compose -p ${project} down`)
      const result = await this.compose(
        docker,
        project,
        file,
        ['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])],
        context.env,
        300_000,
      )
      if (!result.ok) {
        task.fail()
        throw new StreamctlError(
          'COMMAND_FAILED',
          `docker compose down failed: ${lastLines(result.stderr || result.stdout, 10)}`,
        )
      }
      task.succeed()
      await rm(path.join(context.stateDir, STATE_FILE), {force: true})
      return {
        driver: 'compose',
        stack: state.stack,
        components: Object.keys(state.components).map((name) => ({name, action: 'removed' as const})),
        removed: options.volumes ? [`volumes of project ${project}`] : [],
      }
    })
  }

  async status(context: DriverContext, state: StackState): Promise<ComponentStatus[]> {
    const docker = await this.requireEngine(context)
    const file = await this.composeFile(state.stackDir)
    const containers = parseComposePs(
      (
        await this.compose(
          docker,
          state.project ?? composeProject(state.stack),
          file,
          ['ps', '--all', '--format', 'json'],
          context.env,
        )
      ).stdout,
    )
    return Object.values(state.components).map((component) => {
      const container = containers.find((candidate) => candidate.Service === component.name)
      return {
        name: component.name,
        kind: component.kind,
        mode: 'compose',
        address: `${component.host}:${component.port}`,
        healthy: container ? isContainerReady(container) : false,
        detail: container ? `${container.State}${container.Health ? ` (${container.Health})` : ''}` : 'no container',
      }
    })
  }

  async logs(context: DriverContext, state: StackState, options: LogOptions): Promise<void> {
    const docker = await this.requireEngine(context)
    const file = await this.composeFile(state.stackDir)
    const args = [
      '-p',
      state.project ?? composeProject(state.stack),
      '-f',
      file,
      'logs',
      '--no-color',
      '--tail',
      String(options.lines),
      ...(options.follow ? ['--follow'] : []),
      ...(options.component ? [options.component] : []),
    ]
    await new Promise<void>((resolve, reject) => {
      const child = spawn(docker, ['compose', ...args], {env: context.env, stdio: ['ignore', 'pipe', 'pipe']})
      child.stdout.on('data', (chunk: Buffer) => options.write(chunk.toString('utf8')))
      child.stderr.on('data', (chunk: Buffer) => options.write(chunk.toString('utf8')))
      options.signal?.addEventListener('abort', () => child.kill('SIGTERM'), {once: true})
      child.on('error', reject)
      child.on('close', () => resolve())
    })
  }

  private componentStates(components: Component[], containers: ComposeContainer[]): Record<string, ComponentState> {
    const states: Record<string, ComponentState> = {}
    for (const component of components) {
      const container = containers.find((candidate) => candidate.Service === component.name)
      const port =
        (container && publishedPort(container, CONTAINER_PORTS[component.kind] ?? component.port)) ?? component.port
      states[component.name] = {
        name: component.name,
        kind: component.kind,
        mode: 'compose',
        host: '127.0.0.1',
        port,
        ports: component.ports,
        ...(component.kind === 'postgres' ? {created: {database: component.database ?? 'streamctl'}} : {}),
        ...(component.kind === 'rabbitmq' ? {created: {vhost: component.vhost ?? '/'}} : {}),
      }
    }
    return states
  }

  /** `ps --all` and the logs of every service that is not running and healthy. */
  private async upFailure(
    docker: string,
    project: string,
    file: string,
    containers: ComposeContainer[],
    output: string,
    env: NodeJS.ProcessEnv,
  ): Promise<StreamctlError> {
    const table = await this.compose(docker, project, file, ['ps', '--all'], env)
    const failing = containers.filter((container) => !isContainerReady(container)).map((container) => container.Service)
    const logs = await Promise.all(
      failing.map(async (service) => {
        const result = await this.compose(
          docker,
          project,
          file,
          ['logs', '--no-color', '--tail', String(LOG_TAIL_LINES), service],
          env,
        )
        return `--- logs of ${service} ---\n${(result.stdout + result.stderr).trim()}`
      }),
    )
    return new StreamctlError(
      'COMPONENT_UNHEALTHY',
      [
        `docker compose up did not get every service healthy${failing.length > 0 ? ` (failing: ${failing.join(', ')})` : ''}: ${lastLines(output, 5)}`,
        '--- docker compose ps --all ---',
        table.stdout.trim(),
        ...logs,
      ].join('\n'),
      {
        hint: '`streamctl down` removes what started; fix the failing service and run `streamctl up` again.',
        details: {failing},
      },
    )
  }

  private async requireEngine(context: DriverContext): Promise<string> {
    const docker = await inspectDocker(context.env)
    if (!docker.client || !docker.serverVersion) {
      throw new StreamctlError(
        'STACK_NOT_READY',
        `the compose driver needs a Docker engine: ${docker.reason ?? 'none answers'}`,
        {hint: 'Start or install Docker, or use --driver local (the embedded broker and local servers).'},
      )
    }
    return docker.client
  }

  private async composeFile(stackDir: string): Promise<string> {
    const file = path.join(stackDir, COMPOSE_FILE)
    await access(file).catch((error) => {
      throw new StreamctlError(
        'FILE_NOT_FOUND',
        `${file}: the compose driver needs a compose file in the stack directory`,
        {cause: error},
      )
    })
    return file
  }

  private compose(
    docker: string,
    project: string,
    file: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    timeoutMs = 120_000,
  ) {
    return runQuietly(docker, ['compose', '-p', project, '-f', file, ...args], timeoutMs, env)
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n')
}
