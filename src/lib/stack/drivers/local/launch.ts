// How the local driver runs streamctl's own components: the embedded broker, the schema registry
// and the reference services, each as `streamctl <command>` in its own detached process.
import path from 'node:path'
import {spawnDetached} from '../../../host/processes.js'
import {PACKAGE_ROOT} from '../../locate.js'
import type {Component} from '../../manifest.js'
import type {ComponentState} from '../../state.js'
import {LOOPBACK} from './infra.js'

export const STREAMCTL_BIN = path.join(PACKAGE_ROOT, 'bin', 'run.js')

export interface LaunchContext {
  stateDir: string
  logDir: string
}

/** The streamctl arguments that run a component of kind kafka, schema-registry or service. */
export function streamctlArgs(component: Component, dataRoot: string): string[] {
  switch (component.kind) {
    case 'kafka':
    case 'schema-registry':
      return [
        component.kind === 'kafka' ? 'broker' : 'registry',
        '--host',
        LOOPBACK,
        '--port',
        String(component.port),
        '--data-dir',
        path.join(dataRoot, component.name),
      ]
    case 'service':
      return ['serve', component.service ?? component.name]
    default:
      throw new Error(`${component.kind} is not run by streamctl`)
  }
}

export async function launchStreamctlComponent(
  component: Component,
  context: LaunchContext,
  env: Record<string, string> = {},
): Promise<ComponentState> {
  const args = [STREAMCTL_BIN, ...streamctlArgs(component, path.join(context.stateDir, 'data'))]
  const logFile = path.join(context.logDir, `${component.name}.log`)
  const identity = await spawnDetached(process.execPath, args, {logFile, env: {...process.env, CI: '1', ...env}})
  return {
    name: component.name,
    kind: component.kind,
    mode: 'started',
    host: LOOPBACK,
    port: component.port,
    ports: component.ports,
    process: {...identity, command: [process.execPath, ...args]},
    logFile,
    ...(component.kind === 'service' ? {} : {dataDir: path.join(context.stateDir, 'data', component.name)}),
    startedAt: new Date().toISOString(),
  }
}
