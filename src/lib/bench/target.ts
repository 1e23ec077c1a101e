// Where a bench sends its load: `--target URL`, the profile's `target`, or the running stack's
// gateway (with the provisioned users' API keys, the admin API and its token, and the services'
// /metrics). The stack's admin token goes only to the stack's own gateway; any other admin URL gets
// STREAMCTL_ADMIN_TOKEN.
import {ADMIN_TOKEN_ENV, adminTokenFile, readAdminToken} from '../stack/admin-token.js'
import {readCredentials} from '../stack/credentials.js'
import type {Stack} from '../stack/load-stack.js'
import {stateDirFor} from '../stack/state-dir.js'
import {readState, requireState} from '../stack/state.js'
import {ServiceRoutes} from '../streamflow/api.js'
import {StreamctlError} from '../errors.js'
import {syntheticUsers, type PopulationUser} from '../load/population.js'
import type {LoadProfile} from '../load/profile.js'

export interface BenchTarget {
  url: string
  adminUrl?: string
  /** The admin API's bearer token, and where it came from (for messages; never the token itself). */
  adminToken?: string
  adminTokenSource?: string
  users: PopulationUser[]
  scrapeUrls: string[]
  /** Why this target, for the user. */
  reason: string
}

export async function resolveBenchTarget(
  stack: Stack,
  profile: LoadProfile,
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BenchTarget> {
  const stateDir = stateDirFor(stack.manifest.name, env)
  const explicit = flagUrl ?? profile.target
  if (explicit) {
    try {
      new URL(explicit)
    } catch {
      throw new StreamctlError(
        'INVALID_FLAG',
        `--target ${explicit}: expected an http(s) URL such as http://127.0.0.1:8080`,
      )
    }
    const credentials = await readCredentials(stateDir).catch(() => undefined) // no credentials file: the run uses synthetic users
    const users = credentials?.users.length
      ? credentials.users.map(({userId, tier, apiKey}) => ({id: userId, tier, apiKey}))
      : syntheticUsers(profile.population.users)
    const adminUrl =
      profile.admin ??
      (profile.timeline.length > 0 || profile.variants.some((variant) => variant.switches) ? explicit : undefined)
    const gateway = adminUrl
      ? (await readState(stateDir).catch(() => undefined))?.endpoints.services.gateway // no state: the stack is not up, so no gateway to compare with
      : undefined
    return {
      url: explicit,
      ...(adminUrl ? {adminUrl, ...(await adminTokenFor(adminUrl, gateway, stateDir, env))} : {}),
      users,
      scrapeUrls: profile.scrape ?? [],
      reason: flagUrl ? '--target' : `the profile's target`,
    }
  }
  const state = await requireState(stateDir, stack.manifest.name)
  const gateway = state.endpoints.services.gateway
  if (!gateway) {
    throw new StreamctlError(
      'STACK_NOT_READY',
      `stack "${stack.manifest.name}" has no gateway service to send load to`,
      {hint: 'Pass --target URL to bench another HTTP service.'},
    )
  }
  const credentials = await readCredentials(stateDir)
  if (credentials.users.length === 0)
    throw new StreamctlError('STACK_NOT_READY', `stack "${stack.manifest.name}" has no seeded users`, {
      hint: 'Run `streamctl provision` first.',
    })
  const adminUrl = profile.admin ?? gateway
  return {
    url: gateway,
    adminUrl,
    ...(await adminTokenFor(adminUrl, gateway, stateDir, env)),
    users: credentials.users.map(({userId, tier, apiKey}) => ({id: userId, tier, apiKey})),
    scrapeUrls:
      profile.scrape ??
      Object.values(state.endpoints.services).map((url) => new URL(ServiceRoutes.metrics, url).toString()),
    reason: `stack "${stack.manifest.name}" gateway`,
  }
}

/**
 * The token for an admin URL: the stack's own (its state directory's admin-token) when the URL is
 * the stack's gateway, else STREAMCTL_ADMIN_TOKEN, so the stack's token never goes elsewhere.
 */
async function adminTokenFor(
  adminUrl: string,
  gateway: string | undefined,
  stateDir: string,
  env: NodeJS.ProcessEnv,
): Promise<Pick<BenchTarget, 'adminToken' | 'adminTokenSource'>> {
  if (gateway && sameOrigin(adminUrl, gateway)) {
    const recorded = await readAdminToken(stateDir)
    if (recorded) return {adminToken: recorded, adminTokenSource: `the token in ${adminTokenFile(stateDir)}`}
  }
  const given = env[ADMIN_TOKEN_ENV]
  return given
    ? {adminToken: given, adminTokenSource: `the token in ${ADMIN_TOKEN_ENV}`}
    : {adminTokenSource: `no token (${ADMIN_TOKEN_ENV} is not set)`}
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
