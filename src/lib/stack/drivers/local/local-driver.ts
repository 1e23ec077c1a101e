// The local driver: every component as a process on this machine. The embedded broker, the
// registry and the services run as `streamctl …` child processes; PostgreSQL, Redis and RabbitMQ
// are reused or started privately (infra.ts). Everything started is recorded in the state file
// before it is waited for, so `down` can always stop it. The gateway gets the stack's admin token
// (admin-token.ts), made on the first `up`.
import {mkdir, rm} from 'node:fs/promises'
import path from 'node:path'
import {StreamctlError} from '../../../errors.js'
import {followFiles, tailFile} from '../../../host/log-files.js'
import {isSameProcess, stopProcess} from '../../../host/processes.js'
import {adminTokenFile, ensureAdminToken} from '../../admin-token.js'
import {endpointsFromComponents} from '../../endpoints.js'
import {checkHealth, waitHealthy} from '../../health.js'
import type {Component} from '../../manifest.js'
import {startWaves} from '../../order.js'
import {servesAdminApi, serviceEnv} from '../../service-env.js'
import {readState, STATE_FILE, withStateLock, writeState, type ComponentState, type StackState} from '../../state.js'
import type {
  ComponentDown,
  ComponentStatus,
  ComponentUp,
  DownResult,
  DriverContext,
  LogOptions,
  StackDriver,
  UpOptions,
  UpResult,
} from '../types.js'
import {isolate, provideInfra, type InfraKind} from './infra.js'
import {launchStreamctlComponent} from './launch.js'
import {removeIsolation} from './isolation-cleanup.js'

const INFRA_KINDS = new Set(['postgres', 'redis', 'rabbitmq'])
const LOG_TAIL_LINES = 25

/** Infrastructure first (services need its endpoints), then services in dependency order. */
export function localStartOrder(components: Component[]): Component[][] {
  const infra = components.filter((component) => component.kind !== 'service')
  const services = components.filter((component) => component.kind === 'service')
  const serviceNames = new Set(services.map((component) => component.name))
  const serviceWaves = startWaves(
    services.map((component) => ({
      ...component,
      dependsOn: component.dependsOn.filter((name) => serviceNames.has(name)),
    })),
  )
  return [
    ...startWaves(
      infra.map((component) => ({
        ...component,
        dependsOn: component.dependsOn.filter((name) => !serviceNames.has(name)),
      })),
    ),
    ...serviceWaves,
  ]
}

export class LocalDriver implements StackDriver {
  readonly name = 'local' as const

  async up(context: DriverContext, options: UpOptions): Promise<UpResult> {
    const {stack, stateDir, reporter} = context
    const {manifest} = stack
    return withStateLock(stateDir, async () => {
      const previous = await readState(stateDir)
      if (previous && previous.driver !== 'local') {
        throw new StreamctlError(
          'STACK_DRIVER_MISMATCH',
          `stack "${manifest.name}" is up with the ${previous.driver} driver`,
          {hint: 'Run `streamctl down` first, then `up` with the driver you want.'},
        )
      }
      const logDir = path.join(stateDir, 'logs')
      await mkdir(logDir, {recursive: true})
      const adminToken = await ensureAdminToken(stateDir)
      const state: StackState = previous ?? {
        schemaVersion: 1,
        stack: manifest.name,
        stackDir: stack.dir,
        driver: 'local',
        updatedAt: new Date().toISOString(),
        components: {},
        endpoints: endpointsFromComponents(manifest, {}),
      }
      // Components of the manifest that are no longer in it are not touched; `down` still stops them.
      let saving = Promise.resolve()
      const save = () =>
        (saving = saving.then(() =>
          writeState(stateDir, {...state, endpoints: endpointsFromComponents(manifest, state.components)}),
        ))
      const results: ComponentUp[] = []
      const infraContext = {
        stackName: manifest.name,
        stateDir,
        logDir,
        ownServers: options.ownServers ?? false,
        waitTimeoutMs: options.waitTimeoutMs,
        warn: (message: string) => reporter.warn(message),
      }

      const bringUp = async (component: Component): Promise<void> => {
        const task = reporter.task(component.name)
        const existing = state.components[component.name]
        // A gateway started before the stack had a token has none: it is started again with it.
        const lacksToken = adminToken.created && servesAdminApi(component)
        if (existing && !lacksToken && (await this.isUp(component, existing))) {
          results.push({
            name: component.name,
            kind: component.kind,
            action: 'running',
            address: `${existing.host}:${existing.port}`,
            ...(existing.process ? {pid: existing.process.pid} : {}),
          })
          task.skip('already running')
          return
        }
        if (existing?.mode === 'started' && existing.process) await stopProcess(existing.process, 2000)
        task.update({status: 'starting'})
        let componentState: ComponentState
        let action: ComponentUp['action']
        if (INFRA_KINDS.has(component.kind)) {
          const provided = await provideInfra(component as Component & {kind: InfraKind}, infraContext)
          componentState = provided.state
          action = provided.action === 'started' && existing ? 'restarted' : provided.action
        } else {
          const env =
            component.kind === 'service'
              ? serviceEnv(
                  component,
                  endpointsFromComponents(manifest, state.components),
                  manifest.components,
                  manifest.name,
                  adminToken.token,
                )
              : {}
          componentState = await launchStreamctlComponent(component, {stateDir, logDir}, env)
          action = existing ? 'restarted' : 'started'
        }
        state.components[component.name] = componentState
        await save()
        const address = `${componentState.host}:${componentState.port}`
        task.update({
          status: component.kind === 'service' ? `waiting for ${component.health}` : `waiting for ${address}`,
        })
        const identity = componentState.process
        const health = await waitHealthy(component, componentState.host, componentState.port, {
          timeoutMs: options.waitTimeoutMs,
          ...(identity ? {stillAlive: () => isSameProcess(identity)} : {}),
        })
        if (!health.healthy) {
          task.fail(health.detail)
          const tail = componentState.logFile ? await tailFile(componentState.logFile, LOG_TAIL_LINES) : ''
          throw new StreamctlError(
            'COMPONENT_UNHEALTHY',
            `${component.name} did not become healthy at ${address}: ${health.detail}${tail ? `\n--- last lines of ${componentState.logFile} ---\n${tail}` : ''}`,
            {
              hint: '`streamctl down` stops what did start; fix the cause above and run `streamctl up` again.',
              details: {component: component.name, logFile: componentState.logFile, detail: health.detail},
            },
          )
        }
        if (INFRA_KINDS.has(component.kind)) {
          const created = await isolate(component, componentState, infraContext)
          if (created) componentState.created = created
          await save()
        }
        results.push({
          name: component.name,
          kind: component.kind,
          action,
          address,
          ...(identity ? {pid: identity.pid} : {}),
          ...(health.version ? {detail: health.version} : {}),
        })
        task.succeed(`${action} ${address}${health.version ? ` (${health.version})` : ''}`)
      }

      try {
        for (const wave of localStartOrder(manifest.components)) {
          const settled = await Promise.allSettled(wave.map(bringUp))
          const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
          if (failure) throw failure.reason
        }
      } finally {
        await save()
        await saving
      }
      const order = manifest.components.map((component) => component.name)
      results.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
      return {
        driver: 'local',
        stack: manifest.name,
        changed: results.some((result) => result.action !== 'running'),
        components: results,
        endpoints: endpointsFromComponents(manifest, state.components),
        stateFile: path.join(stateDir, STATE_FILE),
        adminTokenFile: adminTokenFile(stateDir),
      }
    })
  }

  async down(context: DriverContext, state: StackState, options: {volumes: boolean}): Promise<DownResult> {
    const {stateDir, reporter} = context
    return withStateLock(stateDir, async () => {
      const components: ComponentDown[] = []
      const removed: string[] = []
      // Reverse start order: services first, then the broker and the servers under them.
      const known = context.stack.manifest.components.map((component) => component.name)
      const names = Object.keys(state.components).sort((a, b) => known.indexOf(b) - known.indexOf(a))
      const services = names.filter((name) => state.components[name]!.kind === 'service')
      const rest = names.filter((name) => state.components[name]!.kind !== 'service')
      for (const group of [services, rest]) {
        await Promise.all(
          group.map(async (name) => {
            const component = state.components[name]!
            const task = reporter.task(`${name}`)
            if (component.mode !== 'started' || !component.process) {
              components.push({name, action: 'kept', detail: 'shared server, not started by streamctl'})
              task.skip('shared server: left running')
              return
            }
            const outcome = await stopProcess(component.process)
            components.push({name, action: outcome})
            task.succeed(outcome)
          }),
        )
      }
      if (options.volumes) {
        for (const name of rest) {
          const component = state.components[name]!
          if (component.mode === 'reused') removed.push(...(await removeIsolation(component, state)))
          if (component.dataDir) {
            await rm(component.dataDir, {recursive: true, force: true})
            removed.push(component.dataDir)
          }
        }
        await rm(stateDir, {recursive: true, force: true})
        removed.push(stateDir)
      } else {
        await rm(path.join(stateDir, STATE_FILE), {force: true})
      }
      return {driver: 'local', stack: state.stack, components, removed}
    })
  }

  async status(context: DriverContext, state: StackState): Promise<ComponentStatus[]> {
    const byName = new Map(context.stack.manifest.components.map((component) => [component.name, component]))
    return Promise.all(
      Object.values(state.components).map(async (component): Promise<ComponentStatus> => {
        const spec = byName.get(component.name) ?? {kind: component.kind, health: '/readyz'}
        const alive = component.process ? await isSameProcess(component.process) : true
        const health = alive
          ? await checkHealth(spec, component.host, component.port)
          : {healthy: false, detail: 'process not running'}
        return {
          name: component.name,
          kind: component.kind,
          mode: component.mode,
          address: `${component.host}:${component.port}`,
          healthy: health.healthy,
          detail: health.detail,
          ...('version' in health && health.version ? {version: health.version} : {}),
          ...(component.process ? {pid: component.process.pid} : {}),
        }
      }),
    )
  }

  async logs(_context: DriverContext, state: StackState, options: LogOptions): Promise<void> {
    const components = Object.values(state.components).filter(
      (component) => component.logFile && (!options.component || component.name === options.component),
    )
    if (options.component && components.length === 0) {
      const known = Object.values(state.components)
        .filter((component) => component.logFile)
        .map((component) => component.name)
      throw new StreamctlError('USAGE', `no log for "${options.component}"`, {
        hint: `Components with logs: ${known.join(', ') || 'none'} (reused servers log where they always do).`,
      })
    }
    const width = Math.max(...components.map((component) => component.name.length))
    const prefix = (name: string, text: string) =>
      text
        .split('\n')
        .filter((line, index, lines) => line !== '' || index < lines.length - 1)
        .map((line) => `${name.padEnd(width)} | ${line}\n`)
        .join('')
    for (const component of components) {
      const tail = await tailFile(component.logFile!, options.lines)
      if (tail) options.write(prefix(component.name, tail))
    }
    if (!options.follow) return
    const nameOf = new Map(components.map((component) => [component.logFile!, component.name]))
    await followFiles(
      [...nameOf.keys()],
      (file, text) => options.write(prefix(nameOf.get(file)!, text)),
      options.signal ?? new AbortController().signal,
    )
  }

  private async isUp(component: Component, existing: ComponentState): Promise<boolean> {
    if (existing.mode === 'started' && (!existing.process || !(await isSameProcess(existing.process)))) return false
    if (
      existing.mode === 'started' &&
      component.kind !== 'postgres' &&
      component.kind !== 'redis' &&
      component.kind !== 'rabbitmq' &&
      existing.port !== component.port
    )
      return false
    return (await checkHealth(component, existing.host, existing.port)).healthy
  }
}
