// Reference-stack services started in this test process on free ports, against the test's own
// database, Redis prefix and vhost.
import path from 'node:path'
import {loadStack} from '../../src/lib/stack/load-stack.js'
import type {StackManifest} from '../../src/lib/stack/manifest.js'
import type {Env} from '../../src/services/runtime/env.js'
import {silentLogger, type Logger} from '../../src/services/telemetry/log.js'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {SERVICES} from '../../src/services/registry.js'
import {ROOT} from './cli.js'

export const REFERENCE_DIR = path.join(ROOT, 'stacks/reference')

let reference: StackManifest | undefined
export async function referenceManifest(): Promise<StackManifest> {
  reference ??= (await loadStack(REFERENCE_DIR)).manifest
  return reference
}

/** Starts a service in this process; its log is silent unless TEST_SERVICE_LOGS is set or `log` is given. */
export async function startService(
  name: string,
  env: Env,
  manifest?: StackManifest,
  log?: Logger,
): Promise<RunningService> {
  const definition = await SERVICES[name]!()
  return definition.start({
    name,
    env: {HOST: '127.0.0.1', PORT: '0', ...env},
    manifest: manifest ?? (await referenceManifest()),
    stackDir: REFERENCE_DIR,
    log: log ?? (process.env.TEST_SERVICE_LOGS ? undefined : silentLogger),
  })
}

/** Polls until `check` returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The value of one sample in a Prometheus text exposition, e.g. metric{name="x"}. */
export function metricValue(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `))
  return line === undefined ? undefined : Number(line.slice(sample.length + 1))
}
