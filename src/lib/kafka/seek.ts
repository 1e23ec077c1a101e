// `groups seek`: resolve where a stopped group should resume on each partition, show the plan,
// and with `execute` commit exactly those offsets.
import {StreamctlError} from '../errors.js'
import type {KafkaAdmin} from './client.js'
import {commitGroupOffsets} from './group-commit.js'
import {committedOffsets} from './groups.js'
import {describeOffsetSpec, type OffsetSpec} from './offset-spec.js'
import {assertGroupInactive, partitionKey, planSeek, type PartitionBounds, type SeekMove} from './seek-plan.js'
import {topicExists} from './topics.js'

export interface SeekRequest {
  group: string
  spec: OffsetSpec
  /** Topics to move; default: every topic the group has committed offsets on. */
  topics?: string[]
  execute: boolean
}

export interface SeekResult {
  group: string
  state: string
  to: string
  executed: boolean
  moves: SeekMove[]
}

export async function seekGroup({kafka, admin}: KafkaAdmin, request: SeekRequest): Promise<SeekResult> {
  const {group, spec} = request
  const described = (await admin.describeGroups([group])).groups[0]
  const state = described?.state ?? 'Dead'
  assertGroupInactive(group, state, described?.members.length ?? 0)

  const topics = request.topics ?? [...new Set((await committedOffsets(admin, group)).map((offset) => offset.topic))]
  if (topics.length === 0) {
    throw new StreamctlError('GROUP_NOT_FOUND', `consumer group "${group}" has no committed offsets to move`, {
      hint: 'Name the topics to position it on with --topic.',
    })
  }
  for (const topic of topics) {
    if (!(await topicExists(admin, topic)))
      throw new StreamctlError('TOPIC_NOT_FOUND', `topic "${topic}" does not exist`, {
        hint: '`streamctl topics list` shows the topics there are.',
      })
  }
  const committed = new Map(
    (await committedOffsets(admin, group, topics)).map((offset) => [
      partitionKey(offset.topic, offset.partition),
      offset.committed,
    ]),
  )
  const bounds = (await Promise.all(topics.map((topic) => partitionBounds(admin, topic, spec)))).flat()
  const moves = planSeek(spec, bounds, committed)
  if (request.execute) {
    // Checked again right before committing; the broker refuses the commit itself if someone joined since.
    const latest = (await admin.describeGroups([group])).groups[0]
    assertGroupInactive(group, latest?.state ?? 'Dead', latest?.members.length ?? 0)
    await commitGroupOffsets(kafka, group, moves)
  }
  return {group, state, to: describeOffsetSpec(spec), executed: request.execute, moves}
}

/** Earliest and latest offsets of every partition, and for a time the offset ListOffsets finds for it. */
export async function partitionBounds(
  admin: KafkaAdmin['admin'],
  topic: string,
  spec: OffsetSpec,
): Promise<PartitionBounds[]> {
  const offsets = await admin.fetchTopicOffsets(topic)
  const byTime =
    spec.kind === 'timestamp'
      ? new Map(
          (await admin.fetchTopicOffsetsByTimestamp(topic, spec.timestamp)).map((entry) => [
            entry.partition,
            Number(entry.offset),
          ]),
        )
      : undefined
  return offsets.map((entry) => {
    const latest = Number(entry.high)
    // kafkajs reports "no record at or after the time" as the log end; keep it recognisable.
    const found = byTime?.get(entry.partition) ?? -1
    return {
      topic,
      partition: entry.partition,
      earliest: Number(entry.low),
      latest,
      ...(byTime ? {atTimestamp: found >= latest ? -1 : found} : {}),
    }
  })
}
