// `--driver auto|compose|local|external`: auto picks compose when a Docker engine answers and
// local otherwise, and says why.
import {inspectDocker} from '../../host/docker.js'
import type {DriverName} from '../state.js'
import {ComposeDriver} from './compose/compose-driver.js'
import {ExternalDriver, type ExternalEndpointsInput} from './external-driver.js'
import {LocalDriver} from './local/local-driver.js'
import type {StackDriver} from './types.js'

export const DRIVER_CHOICES = ['auto', 'compose', 'local', 'external'] as const
export type DriverChoice = (typeof DRIVER_CHOICES)[number]

export interface SelectedDriver {
  driver: StackDriver
  /** Why this driver: "auto: no Docker engine answers (…)". */
  reason: string
}

export async function selectDriver(
  choice: DriverChoice,
  external: ExternalEndpointsInput = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<SelectedDriver> {
  if (choice !== 'auto') return {driver: driverByName(choice, external), reason: `--driver ${choice}`}
  const docker = await inspectDocker(env)
  if (docker.serverVersion)
    return {driver: new ComposeDriver(), reason: `auto: Docker engine ${docker.serverVersion} answers`}
  return {
    driver: new LocalDriver(),
    reason: `auto: no Docker engine answers (${docker.reason ?? 'none'}), so the local driver`,
  }
}

export function driverByName(name: DriverName, external: ExternalEndpointsInput = {}): StackDriver {
  switch (name) {
    case 'compose':
      return new ComposeDriver()
    case 'local':
      return new LocalDriver()
    case 'external':
      return new ExternalDriver(external)
  }
}
