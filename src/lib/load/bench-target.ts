// Where a bench sends its load: `--target URL`, the profile's `target`, or the running stack's
// gateway (with the provisioned users' API keys, the admin API and the services' /metrics).
import {readCredentials} from '../stack/credentials.js'
import type {Stack} from '../stack/load-stack.js'
import {stateDirFor} from '../stack/state-dir.js'
import {requireState} from '../stack/state.js'
import {ServiceRoutes} from '../stack/api.js'
import {StreamctlError} from '../errors.js'
import {syntheticUsers, type PopulationUser} from './population.js'
import type {LoadProfile} from './profile.js'

export interface BenchTarget {
  url: string
  adminUrl?: string
  users: PopulationUser[]
  scrapeUrls: string[]
  /** Why this target, for the user. */
  reason: string
}

export async function resolveBenchTarget(stack: Stack, profile: LoadProfile, flagUrl: string | undefined): Promise<BenchTarget> {
  const stateDir = stateDirFor(stack.manifest.name)
  const explicit = flagUrl ?? profile.target
  if (explicit) {
    try {
      new URL(explicit)
    } catch {
      throw new StreamctlError('INVALID_FLAG', `--target ${explicit}: expected an http(s) URL such as http://127.0.0.1:8080`)
    }
    const credentials = await readCredentials(stateDir).catch(() => undefined)
    const users = credentials?.users.length ? credentials.users.map(({userId, tier, apiKey}) => ({id: userId, tier, apiKey})) : syntheticUsers(profile.population.users)
    return {
      url: explicit,
      ...(profile.admin ? {adminUrl: profile.admin} : profile.timeline.length > 0 || profile.variants.some((variant) => variant.switches) ? {adminUrl: explicit} : {}),
      users,
      scrapeUrls: profile.scrape ?? [],
      reason: flagUrl ? '--target' : `the profile's target`,
    }
  }
  const state = await requireState(stateDir, stack.manifest.name)
  const gateway = state.endpoints.services.gateway
  if (!gateway) {
    throw new StreamctlError('STACK_NOT_READY', `stack "${stack.manifest.name}" has no gateway service to send load to`, {hint: 'Pass --target URL to bench another HTTP service.'})
  }
  const credentials = await readCredentials(stateDir)
  if (credentials.users.length === 0) throw new StreamctlError('STACK_NOT_READY', `stack "${stack.manifest.name}" has no seeded users`, {hint: 'Run `streamctl provision` first.'})
  return {
    url: gateway,
    adminUrl: profile.admin ?? gateway,
    users: credentials.users.map(({userId, tier, apiKey}) => ({id: userId, tier, apiKey})),
    scrapeUrls: profile.scrape ?? Object.values(state.endpoints.services).map((url) => new URL(ServiceRoutes.metrics, url).toString()),
    reason: `stack "${stack.manifest.name}" gateway`,
  }
}
