// `bench --chaos kill:worker@30%`: a component fault as a timeline event, the command-line twin of a
// profile's `timeline: [{at: 30%, action: kill, component: worker}]`.
import {StreamctlError} from '../errors.js'
import {DURATION_HINT, parseDuration} from '../text/duration.js'
import {COMPONENT_FAULTS, type ComponentFault} from '../stack/component-faults.js'
import type {TimelineEventSpec} from './profile.js'

export const CHAOS_HINT = `ACTION:COMPONENT@AT with ACTION one of ${COMPONENT_FAULTS.join(', ')} and AT a share of the run (30%) or ${DURATION_HINT}, e.g. kill:worker@30%`

export function parseChaosSpec(input: string): TimelineEventSpec {
  const match = /^([a-z]+):([A-Za-z0-9_.-]+)@(.+)$/.exec(input.trim())
  if (!match) throw new StreamctlError('INVALID_FLAG', `--chaos ${input}: expected ${CHAOS_HINT}`)
  const [, action, component, at] = match as unknown as [string, string, string, string]
  if (!(COMPONENT_FAULTS as readonly string[]).includes(action))
    throw new StreamctlError(
      'INVALID_FLAG',
      `--chaos ${input}: unknown action "${action}"; expected one of ${COMPONENT_FAULTS.join(', ')}`,
    )
  if (at.endsWith('%')) {
    const fraction = Number(at.slice(0, -1)) / 100
    if (!(fraction >= 0 && fraction <= 1))
      throw new StreamctlError('INVALID_FLAG', `--chaos ${input}: a share of the run is between 0% and 100%, got ${at}`)
    return {at: {fraction}, action: action as ComponentFault, component}
  }
  const ms = parseDuration(at)
  if (ms === undefined)
    throw new StreamctlError(
      'INVALID_FLAG',
      `--chaos ${input}: "${at}" is not a time; expected a share of the run (30%) or ${DURATION_HINT}`,
    )
  return {at: {ms}, action: action as ComponentFault, component}
}
