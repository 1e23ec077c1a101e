// Where a consumer group should be moved to, as users write it after `--to`: `earliest`,
// `latest`, an offset, an ISO time or a duration ago (`-2h`). Pure: resolving it to concrete
// offsets per partition needs the broker (seek.ts).
import {StreamctlError} from '../errors.js'
import {DURATION_HINT, parseDuration} from '../text/duration.js'

export type OffsetSpec =
  | {kind: 'earliest'}
  | {kind: 'latest'}
  | {kind: 'offset'; offset: number}
  /** The first record whose timestamp is at or after `timestamp` (epoch ms). */
  | {kind: 'timestamp'; timestamp: number}

export const OFFSET_SPEC_HINT = `earliest, latest, an offset (e.g. 1200), an ISO time (e.g. 2026-11-25T08:00:00Z) or ${DURATION_HINT} ago prefixed with "-" (e.g. -2h)`

/** Parses `--to`; durations are taken back from `now` so the plan shows the absolute time. */
export function parseOffsetSpec(text: string, now: number = Date.now(), flag = '--to'): OffsetSpec {
  const value = text.trim()
  if (value === 'earliest' || value === 'beginning') return {kind: 'earliest'}
  if (value === 'latest' || value === 'end') return {kind: 'latest'}
  if (/^\d+$/.test(value)) {
    const offset = Number(value)
    if (!Number.isSafeInteger(offset)) throw invalid(flag, text, 'the offset is too large')
    return {kind: 'offset', offset}
  }
  if (value.startsWith('-')) {
    const ms = parseDuration(value.slice(1))
    if (ms === undefined) throw invalid(flag, text, `"${value.slice(1)}" is not ${DURATION_HINT}`)
    return {kind: 'timestamp', timestamp: Math.round(now - ms)}
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const timestamp = Date.parse(value)
    if (Number.isNaN(timestamp)) throw invalid(flag, text, 'not a valid ISO 8601 time')
    return {kind: 'timestamp', timestamp}
  }
  throw invalid(flag, text)
}

export function describeOffsetSpec(spec: OffsetSpec): string {
  switch (spec.kind) {
    case 'earliest':
    case 'latest':
      return spec.kind
    case 'offset':
      return `offset ${spec.offset}`
    case 'timestamp':
      return `first record at or after ${new Date(spec.timestamp).toISOString()}`
  }
}

function invalid(flag: string, text: string, reason?: string): StreamctlError {
  return new StreamctlError('INVALID_FLAG', `${flag} ${text}: ${reason ? `${reason}; expected ` : 'expected '}${OFFSET_SPEC_HINT}`)
}
