// Starts reference-stack services by name in this process: one (`serve gateway`, configured by the
// environment the local driver or compose gives it) or all of the manifest's (`serve all`, each on
// its manifest port, told where the others are).
import {StreamctlError} from '../lib/errors.js'
import type {Component, StackManifest} from '../lib/stack/manifest.js'
import {envName} from '../lib/stack/service-env.js'
import type {Env} from './runtime/env.js'
import type {RunningService} from './runtime/service-runtime.js'
import {SERVICES, serviceNames} from './registry.js'

export interface ServeOptions {
  manifest: StackManifest
  stackDir: string
  env: Env
  /** Overrides for a single service (the --host/--port flags). */
  host?: string
  port?: number
}

export interface ServeResult {
  services: RunningService[]
  /** Services of the manifest this build has no implementation for. */
  skipped: string[]
}

export async function serveServices(which: string, options: ServeOptions): Promise<ServeResult> {
  const components = options.manifest.components.filter((component) => component.kind === 'service')
  if (which !== 'all') {
    const component = components.find((candidate) => (candidate.service ?? candidate.name) === which)
    return {
      services: [await startOne(which, singleEnv(component, options), options).catch(rethrow(which))],
      skipped: [],
    }
  }
  const runnable = components.filter((component) => SERVICES[component.service ?? component.name])
  const skipped = components.filter((component) => !runnable.includes(component)).map((component) => component.name)
  const started: RunningService[] = []
  try {
    for (const component of runnable)
      started.push(
        await startOne(component.service ?? component.name, allEnv(component, components, options), options).catch(
          rethrow(component.name),
        ),
      )
  } catch (error) {
    await Promise.all(started.map((service) => service.close()))
    throw error
  }
  return {services: started, skipped}
}

async function startOne(name: string, env: Env, options: ServeOptions): Promise<RunningService> {
  const load = SERVICES[name]
  if (!load) {
    throw new StreamctlError('UNKNOWN_SERVICE', `no service named "${name}"`, {
      hint: `Services: ${serviceNames().join(', ')}, or all.`,
    })
  }
  return (await load()).start({name, env, manifest: options.manifest, stackDir: options.stackDir})
}

function singleEnv(component: Component | undefined, options: ServeOptions): Env {
  const env: Env = {...component?.env, ...options.env}
  if (env.PORT === undefined && component) env.PORT = String(component.port)
  if (options.port !== undefined) env.PORT = String(options.port)
  if (options.host !== undefined) env.HOST = options.host
  return env
}

function allEnv(component: Component, components: Component[], options: ServeOptions): Env {
  const env: Env = {...component.env, ...options.env, PORT: String(component.port)}
  if (options.host !== undefined) env.HOST = options.host
  for (const other of components) {
    env[`${envName(other.name)}_URL`] ??= `http://127.0.0.1:${other.port}`
    for (const [port, value] of Object.entries(other.ports))
      env[`${envName(other.name)}_${envName(port)}_ADDR`] ??= `127.0.0.1:${value}`
  }
  for (const [port, value] of Object.entries(component.ports)) env[`${envName(port)}_PORT`] ??= String(value)
  return env
}

function rethrow(name: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof StreamctlError) throw error
    throw new StreamctlError(
      'COMPONENT_UNHEALTHY',
      `${name} failed to start: ${(error as Error)?.message ?? String(error)}`,
      {
        hint: 'Check that PostgreSQL, Redis and RabbitMQ answer at DATABASE_URL, REDIS_URL and AMQP_URL, and that the stack is provisioned (`streamctl provision`).',
        cause: error,
      },
    )
  }
}
