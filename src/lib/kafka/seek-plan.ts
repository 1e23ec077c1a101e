// The pure half of `groups seek`: given each partition's earliest and latest offsets (and, for a
// time, the offset ListOffsets found for it), decide the concrete offset each partition moves to.
// Only real offsets come out of here — never the -1/-2 "latest/earliest" sentinels — so what is
// committed is exactly what the plan shows.
import {StreamctlError} from '../errors.js'
import {SEEK_WORDS, type LogEndWords, type OffsetSpec} from './offset-spec.js'

export interface PartitionBounds {
  topic: string
  partition: number
  earliest: number
  latest: number
  /** For a time: ListOffsets' answer, the first offset at or after it; negative when there is none. */
  atTimestamp?: number
}

export interface SeekMove {
  topic: string
  partition: number
  /** Committed offset before the move; undefined when the group has none on this partition. */
  current?: number
  target: number
  earliest: number
  latest: number
  /** Why the target is not literally what was asked for, e.g. an offset beyond the log end. */
  note?: string
}

/** Group states in which members are joined: moving offsets under them would be lost or fought. */
const LIVE_STATES = new Set(['Stable', 'PreparingRebalance', 'CompletingRebalance'])

/** `words` name the log's ends in the notes (replay says beginning and end). */
export function planSeek(
  spec: OffsetSpec,
  partitions: PartitionBounds[],
  committed: Map<string, number>,
  words: LogEndWords = SEEK_WORDS,
): SeekMove[] {
  return partitions
    .map((bounds): SeekMove => {
      const current = committed.get(partitionKey(bounds.topic, bounds.partition))
      const {target, note} = targetFor(spec, bounds, words)
      return {
        topic: bounds.topic,
        partition: bounds.partition,
        ...(current === undefined ? {} : {current}),
        target,
        earliest: bounds.earliest,
        latest: bounds.latest,
        ...(note ? {note} : {}),
      }
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

function targetFor(spec: OffsetSpec, bounds: PartitionBounds, words: LogEndWords): {target: number; note?: string} {
  switch (spec.kind) {
    case 'earliest':
      return {target: bounds.earliest}
    case 'latest':
      return {target: bounds.latest}
    case 'offset':
      if (spec.offset < bounds.earliest)
        return {
          target: bounds.earliest,
          note: `offset ${spec.offset} is before the log start; moved to ${words.earliest}`,
        }
      if (spec.offset > bounds.latest)
        return {target: bounds.latest, note: `offset ${spec.offset} is past the log end; moved to ${words.latest}`}
      return {target: spec.offset}
    case 'timestamp': {
      const found = bounds.atTimestamp ?? -1
      if (found < 0 || found > bounds.latest)
        return {target: bounds.latest, note: `no record at or after that time; moved to ${words.latest}`}
      return {target: Math.max(found, bounds.earliest)}
    }
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

/** Refuses a group with live members, as `kafka-consumer-groups --reset-offsets` and `rpk group seek` do. */
export function assertGroupInactive(group: string, state: string, members: number): void {
  if (members === 0 && !LIVE_STATES.has(state)) return
  throw new StreamctlError(
    'GROUP_ACTIVE',
    `consumer group "${group}" has ${members} live member${members === 1 ? '' : 's'} (state ${state}): offsets can only be moved while the group is empty`,
    {
      hint: 'Stop every consumer of the group, wait for its session to time out (`streamctl groups describe` shows state Empty), then seek again.',
      details: {group, state, members},
    },
  )
}
