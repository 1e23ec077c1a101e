// What must change for the Kafka topics to match the manifest. Pure: the observed topics come in,
// the changes and the conflicts Kafka cannot resolve (fewer partitions) go out.
import type {Topic} from '../stack/manifest.js'
import {unchanged, type PlannedChange} from './plan.js'

export interface ObservedTopic {
  name: string
  partitions: number
  replication: number
  /** Current values of the config keys the manifest sets (null when the broker reports none). */
  configs: Record<string, string | null>
}

export interface TopicChange extends PlannedChange {
  kind: 'topic'
  topic: Topic
  /** For an update: the new partition count, if it grows. */
  partitions?: number
  /** For an update: the configs whose value differs. */
  configs?: Record<string, string>
}

export interface TopicsDiff {
  changes: TopicChange[]
  conflicts: string[]
  warnings: string[]
}

/** `brokers`: how many brokers the cluster has, which bounds the replication of a new topic. */
export function diffTopics(
  desired: Topic[],
  observed: Map<string, ObservedTopic>,
  brokers = Number.POSITIVE_INFINITY,
): TopicsDiff {
  const diff: TopicsDiff = {changes: [], conflicts: [], warnings: []}
  for (const topic of desired) {
    const current = observed.get(topic.name)
    if (!current) {
      if (topic.replication > brokers) {
        diff.conflicts.push(
          `topic "${topic.name}" asks for replication ${topic.replication} and the cluster has ${brokers} broker${brokers === 1 ? '' : 's'} (lower topics[].replication)`,
        )
      }
      const configs = Object.keys(topic.configs).length
      diff.changes.push({
        kind: 'topic',
        name: topic.name,
        action: 'create',
        detail: `${topic.partitions} partitions, replication ${topic.replication}${configs ? `, ${configs} config${configs === 1 ? '' : 's'}` : ''}`,
        topic,
      })
      continue
    }
    if (current.partitions > topic.partitions) {
      diff.conflicts.push(
        `topic "${topic.name}" has ${current.partitions} partitions and the manifest asks for ${topic.partitions}: Kafka cannot remove partitions (raise topics[].partitions to ${current.partitions}, or delete the topic)`,
      )
    }
    if (current.replication !== topic.replication) {
      diff.warnings.push(
        `topic "${topic.name}" has replication ${current.replication}, the manifest says ${topic.replication}: left as is (replication changes by partition reassignment, not by provision)`,
      )
    }
    const configs = Object.fromEntries(
      Object.entries(topic.configs).filter(([key, value]) => current.configs[key] !== value),
    )
    const details: string[] = []
    if (current.partitions < topic.partitions) details.push(`partitions ${current.partitions} → ${topic.partitions}`)
    for (const [key, value] of Object.entries(configs))
      details.push(`${key} ${current.configs[key] ?? '(unset)'} → ${value}`)
    if (details.length === 0) {
      diff.changes.push({
        ...unchanged(
          'topic',
          topic.name,
          `${current.partitions} partition${current.partitions === 1 ? '' : 's'}, configs match`,
        ),
        kind: 'topic',
        topic,
      })
      continue
    }
    diff.changes.push({
      kind: 'topic',
      name: topic.name,
      action: 'update',
      detail: details.join(', '),
      topic,
      ...(current.partitions < topic.partitions ? {partitions: topic.partitions} : {}),
      ...(Object.keys(configs).length > 0 ? {configs} : {}),
    })
  }
  return diff
}
