// Which offsets of a topic a replay covers. `--from` and `--to` are the offset specs `groups seek`
// takes (beginning, an offset, an ISO time, -2h), resolved per partition by the same planner:
// a time becomes the first record at or after it (ListOffsets), so the range is [from, to).
import type {Admin} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {REPLAY_WORDS, type OffsetSpec} from '../kafka/offset-spec.js'
import {partitionBounds} from '../kafka/seek.js'
import {planSeek} from '../kafka/seek-plan.js'
import {topicExists} from '../kafka/topics.js'
import type {PartitionRange} from './replay-record.js'

export interface RangeRequest {
  topic: string
  from: OffsetSpec
  /** Default: the log end when the replay starts. */
  to?: OffsetSpec
  partitions?: number[]
}

export async function resolveTopicRange(admin: Admin, request: RangeRequest): Promise<PartitionRange[]> {
  if (!(await topicExists(admin, request.topic))) {
    throw new StreamctlError('TOPIC_NOT_FOUND', `topic "${request.topic}" does not exist`, {
      hint: '`streamctl topics list` shows the topics there are; pass another with --topic.',
    })
  }
  const starts = planSeek(
    request.from,
    await partitionBounds(admin, request.topic, request.from),
    new Map(),
    REPLAY_WORDS,
  )
  const to = request.to ?? {kind: 'latest'}
  const ends = new Map(
    planSeek(to, await partitionBounds(admin, request.topic, to), new Map(), REPLAY_WORDS).map((move) => [
      move.partition,
      move,
    ]),
  )
  const known = starts.map((move) => move.partition)
  for (const partition of request.partitions ?? []) {
    if (!known.includes(partition))
      throw new StreamctlError(
        'INVALID_FLAG',
        `--partition ${partition}: topic "${request.topic}" has partitions 0-${known.length - 1}`,
      )
  }
  return starts
    .filter((move) => !request.partitions || request.partitions.includes(move.partition))
    .map((move) => {
      const end = ends.get(move.partition)!
      const note = [move.note && `from: ${move.note}`, end.note && `to: ${end.note}`].filter(Boolean).join('; ')
      return {
        partition: move.partition,
        start: move.target,
        end: Math.max(move.target, end.target),
        ...(note ? {note} : {}),
      }
    })
}
