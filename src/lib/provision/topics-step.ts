// Provisioning Kafka topics: create the missing ones, raise partition counts, alter configs that
// differ. Only the config keys the manifest names are compared and changed.
import type {Topic} from '../stack/manifest.js'
import {connectAdmin} from '../kafka/client.js'
import {alterTopicConfigs, createTopics, increasePartitions} from '../kafka/topic-changes.js'
import {listTopicNames, readTopicConfigs} from '../kafka/topics.js'
import {closeOnFailure, type PlannedChange, type PlannedStep} from './plan.js'
import {diffTopics, type ObservedTopic} from './topics-diff.js'

export async function planTopics(topics: Topic[], brokers: string[]): Promise<PlannedStep> {
  const step: PlannedStep = {
    area: 'Kafka topics',
    changes: [],
    conflicts: [],
    warnings: [],
    apply: async () => [],
    close: async () => {},
  }
  if (topics.length === 0) return step
  if (brokers.length === 0) {
    step.changes = topics.map((topic) => ({
      kind: 'topic',
      name: topic.name,
      action: 'skip',
      detail: 'the stack has no Kafka brokers',
    }))
    step.warnings.push('the manifest declares topics but the stack has no Kafka brokers: topics were not provisioned')
    return step
  }
  const {admin} = await connectAdmin(brokers, 'streamctl-provision')
  step.close = () => admin.disconnect()
  return closeOnFailure(step, async () => {
    const existing = new Set(await listTopicNames(admin))
    const observed = new Map<string, ObservedTopic>()
    const wanted = topics.filter((topic) => existing.has(topic.name))
    if (wanted.length > 0) {
      const {topics: metadata} = await admin.fetchTopicMetadata({topics: wanted.map((topic) => topic.name)})
      for (const topic of wanted) {
        const partitions = metadata.find((entry) => entry.name === topic.name)?.partitions ?? []
        const configs = new Map(
          (await readTopicConfigs(admin, topic.name)).map((config) => [config.name, config.value]),
        )
        observed.set(topic.name, {
          name: topic.name,
          partitions: partitions.length,
          replication: partitions[0]?.replicas.length ?? 0,
          configs: Object.fromEntries(Object.keys(topic.configs).map((key) => [key, configs.get(key) ?? null])),
        })
      }
    }
    const diff = diffTopics(topics, observed, (await admin.describeCluster()).brokers.length)
    Object.assign(step, {changes: diff.changes, conflicts: diff.conflicts, warnings: diff.warnings})
    step.apply = async () => {
      const applied: PlannedChange[] = []
      const missing = diff.changes.filter((change) => change.action === 'create')
      await createTopics(
        admin,
        missing.map((change) => change.topic),
      )
      applied.push(...missing)
      for (const change of diff.changes.filter((candidate) => candidate.action === 'update')) {
        if (change.partitions !== undefined) await increasePartitions(admin, change.name, change.partitions)
        if (change.configs) await alterTopicConfigs(admin, change.name, change.configs)
        applied.push(change)
      }
      return applied.map(({kind, name, action, detail}) => ({kind, name, action, detail}))
    }
    return step
  })
}
