// Where a consumer group should be moved to, or a replay starts and stops, as users write it: the
// log's start or end, an offset, an ISO time or a duration ago (`-2h`). Pure: resolving it to
// concrete offsets per partition needs the broker (seek.ts).
//
// The log's two ends have two vocabularies: `groups seek` speaks Kafka's (earliest/latest, as
// kafka-consumer-groups and rpk do), `replay` speaks the spec's (beginning/end). Each command
// accepts both, and says its own in help, plans and errors.
import {StreamctlError} from '../errors.js'
import {DURATION_HINT, parseDuration} from '../text/duration.js'

export type OffsetSpec =
  | {kind: 'earliest'}
  | {kind: 'latest'}
  | {kind: 'offset'; offset: number}
  /** The first record whose timestamp is at or after `timestamp` (epoch ms). */
  | {kind: 'timestamp'; timestamp: number}

/** The words a command uses for the log's start and end. */
export interface LogEndWords {
  earliest: string
  latest: string
}

export const SEEK_WORDS: LogEndWords = {earliest: 'earliest', latest: 'latest'}
export const REPLAY_WORDS: LogEndWords = {earliest: 'beginning', latest: 'end'}

export function offsetSpecHint(words: LogEndWords = SEEK_WORDS): string {
  return `${words.earliest}, ${words.latest}, an offset (e.g. 1200), an ISO time (e.g. 2026-11-25T08:00:00Z) or ${DURATION_HINT} ago prefixed with "-" (e.g. -2h)`
}

export const OFFSET_SPEC_HINT = offsetSpecHint(SEEK_WORDS)

/** `beginning|end|<offset>|<ISO time>|-<duration>`: the flag's value in usage lines. */
export function offsetSpecHelpValue(words: LogEndWords = SEEK_WORDS): string {
  return `${words.earliest}|${words.latest}|<offset>|<ISO time>|-<duration>`
}

/** Parses a flag's value; durations are taken back from `now` so the plan shows the absolute time. */
export function parseOffsetSpec(
  text: string,
  now: number = Date.now(),
  flag = '--to',
  words: LogEndWords = SEEK_WORDS,
): OffsetSpec {
  const value = text.trim()
  if (value === 'earliest' || value === 'beginning') return {kind: 'earliest'}
  if (value === 'latest' || value === 'end') return {kind: 'latest'}
  if (/^\d+$/.test(value)) {
    const offset = Number(value)
    if (!Number.isSafeInteger(offset)) throw invalid(flag, text, words, 'the offset is too large')
    return {kind: 'offset', offset}
  }
  if (value.startsWith('-')) {
    const ms = parseDuration(value.slice(1))
    if (ms === undefined) throw invalid(flag, text, words, `"${value.slice(1)}" is not ${DURATION_HINT}`)
    return {kind: 'timestamp', timestamp: Math.round(now - ms)}
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const timestamp = Date.parse(value)
    if (Number.isNaN(timestamp)) throw invalid(flag, text, words, 'not a valid ISO 8601 time')
    return {kind: 'timestamp', timestamp}
  }
  throw invalid(flag, text, words)
}

export function describeOffsetSpec(spec: OffsetSpec, words: LogEndWords = SEEK_WORDS): string {
  switch (spec.kind) {
    case 'earliest':
    case 'latest':
      return words[spec.kind]
    case 'offset':
      return `offset ${spec.offset}`
    case 'timestamp':
      return `first record at or after ${new Date(spec.timestamp).toISOString()}`
  }
}

/**
 * Whether `to` comes before `from` whatever the log holds: two offsets or two times in reverse
 * order, or the end before the beginning. Other pairs (an offset and a time, an offset past the
 * log end) can only be compared against the log, and at worst make an empty range.
 */
export function isReversedRange(from: OffsetSpec, to: OffsetSpec): boolean {
  if (from.kind === 'offset' && to.kind === 'offset') return to.offset < from.offset
  if (from.kind === 'timestamp' && to.kind === 'timestamp') return to.timestamp < from.timestamp
  return from.kind === 'latest' && to.kind === 'earliest'
}

function invalid(flag: string, text: string, words: LogEndWords, reason?: string): StreamctlError {
  return new StreamctlError(
    'INVALID_FLAG',
    `${flag} ${text}: ${reason ? `${reason}; expected ` : 'expected '}${offsetSpecHint(words)}`,
  )
}
