// A bench's use of the stack's admin API: the client (with the calibration's costs as its
// baseline), whether a run needs it, and each variant's switches, set before the variant runs. A
// refused token or switches that cannot be set stop the bench rather than measure something else.
import {StreamctlError} from '../errors.js'
import type {AdminClient, AdminResult} from '../load/admin-client.js'
import {isComponentFault, type LoadProfile, type TimelineAction, type VariantSpec} from '../load/profile.js'

export interface AdminSettings {
  profile: LoadProfile
  /** Admin API base URL for timeline events and variant switches; none: they are skipped with a note. */
  adminUrl?: string
  /** Its bearer token (stack/admin-token.ts), and where it came from, for the error when it is refused. */
  adminToken?: string
  adminTokenSource?: string
  onNote?: (message: string) => void
}

// The client's module loads undici (~80 ms of CPU), so only a run with an admin URL imports it.
const adminModule = () => import('../load/admin-client.js')

export async function adminClient(options: AdminSettings): Promise<AdminClient | undefined> {
  if (!options.adminUrl) return undefined
  const {AdminClient} = await adminModule()
  const calibration = options.profile.calibration
  return new AdminClient(options.adminUrl, options.adminToken, calibration ? {costs: calibration.costs} : {})
}

/** Whether a run calls the admin API: a calibration, a variant with switches, or a timeline event other than a component fault. */
export function usesAdminApi(
  profile: LoadProfile,
  variants: readonly VariantSpec[],
  timeline: readonly TimelineAction[],
): boolean {
  return (
    profile.calibration !== undefined ||
    variants.some((variant) => variant.switches) ||
    timeline.some((event) => !isComponentFault(event))
  )
}

/**
 * Every switch off (the calibration's costs on), then the variant's own. A variant whose switches cannot be set would be measured
 * as something it is not, so that stops the bench, as a refused token does; a failed reset alone (a
 * profile with timeline events only) is a note, and its events will say whether they worked.
 */
export async function setVariantSwitches(
  admin: AdminClient,
  variant: VariantSpec,
  options: AdminSettings,
): Promise<void> {
  const reset = await admin.resetSwitches()
  await throwIfRefused(admin, reset, options)
  if (!variant.switches && (reset.ok || !options.profile.calibration)) {
    if (!reset.ok)
      options.onNote?.(
        `${variant.name}: the switches could not be reset through the admin API at ${admin.baseUrl} (${reset.error})`,
      )
    return
  }
  // The reset sets a calibration's costs: without it, the variant would run uncalibrated.
  const patched = reset.ok && variant.switches ? await admin.patchSwitches(variant.switches) : reset
  await throwIfRefused(admin, patched, options)
  if (!patched.ok) {
    throw new StreamctlError(
      'ADMIN_ACTION_FAILED',
      `variant ${variant.name}: its switches${options.profile.calibration ? ` (with calibration ${options.profile.calibration.name})` : ''} could not be set through the admin API at ${admin.baseUrl} (${patched.error}), so it would not measure what it describes`,
      {
        hint: "Check that the admin URL (the profile's `admin:`, else the target) is the stack's gateway and that it is up.",
      },
    )
  }
}

/** A refused token stops the bench: every later call would be refused too. */
export async function throwIfRefused(admin: AdminClient, result: AdminResult, options: AdminSettings): Promise<void> {
  const {isUnauthorized} = await adminModule()
  if (isUnauthorized(result)) throw adminRefused(admin, result, options)
}

export function adminRefused(admin: AdminClient, result: AdminResult, options: AdminSettings): StreamctlError {
  return new StreamctlError(
    'ADMIN_UNAUTHORIZED',
    `the admin API at ${admin.baseUrl} refused ${options.adminTokenSource ?? (options.adminToken ? 'the token' : 'a request without a token')}: ${result.error}`,
    {
      hint: 'A stack streamctl brought up keeps its token in its state directory (admin-token), which `streamctl up` makes and gives the gateway; for any other gateway, set STREAMCTL_ADMIN_TOKEN to the ADMIN_TOKEN it runs with.',
    },
  )
}
