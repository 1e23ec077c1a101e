// Topic admin through kafkajs, so it works against the embedded broker and any Kafka cluster:
// list, describe (partitions, offsets, configs), create, delete, add partitions, alter configs.
import type {Admin} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {kafkaFailure, protocolErrorType} from './client.js'

/** ConfigResourceTypes.TOPIC of the Kafka protocol (kept here so kafkajs loads lazily). */
const TOPIC_RESOURCE = 2
/** ConfigSource.TOPIC_CONFIG: a value set on the topic itself, not inherited from the broker. */
const TOPIC_CONFIG_SOURCE = 1

export interface TopicSummary {
  name: string
  partitions: number
  replication: number
  /** Records currently in the log: latest minus earliest offset, summed over partitions. */
  messages: number
}

export interface PartitionDescription {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
  earliest: number
  latest: number
  messages: number
}

export interface TopicConfig {
  name: string
  value: string | null
  /** Set on the topic (true) or inherited from the broker's defaults (false). */
  override: boolean
  readOnly: boolean
  sensitive: boolean
}

export interface TopicDescription extends TopicSummary {
  partitionDetails: PartitionDescription[]
  configs: TopicConfig[]
}

export interface NewTopic {
  name: string
  partitions: number
  replication: number
  configs: Record<string, string>
}

export async function listTopicNames(admin: Admin): Promise<string[]> {
  return (await admin.listTopics()).filter((name) => !name.startsWith('__')).sort()
}

export async function listTopics(admin: Admin): Promise<TopicSummary[]> {
  const names = await listTopicNames(admin)
  if (names.length === 0) return []
  const {topics} = await admin.fetchTopicMetadata({topics: names})
  return Promise.all(
    topics
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (topic) => {
        const offsets = await admin.fetchTopicOffsets(topic.name)
        return {
          name: topic.name,
          partitions: topic.partitions.length,
          replication: topic.partitions[0]?.replicas.length ?? 0,
          messages: offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0),
        }
      }),
  )
}

/** Partitions, earliest/latest offsets and configs of one topic; TOPIC_NOT_FOUND when it is absent. */
export async function describeTopic(admin: Admin, name: string): Promise<TopicDescription> {
  await requireTopic(admin, name)
  const [{topics}, offsets, configs] = await Promise.all([admin.fetchTopicMetadata({topics: [name]}), admin.fetchTopicOffsets(name), readTopicConfigs(admin, name)])
  const metadata = topics[0]!
  const byPartition = new Map(offsets.map((entry) => [entry.partition, entry]))
  const partitionDetails = metadata.partitions
    .map((partition): PartitionDescription => {
      const entry = byPartition.get(partition.partitionId)
      const earliest = Number(entry?.low ?? 0)
      const latest = Number(entry?.high ?? 0)
      return {partition: partition.partitionId, leader: partition.leader, replicas: partition.replicas, isr: partition.isr, earliest, latest, messages: latest - earliest}
    })
    .sort((a, b) => a.partition - b.partition)
  return {
    name,
    partitions: partitionDetails.length,
    replication: partitionDetails[0]?.replicas.length ?? 0,
    messages: partitionDetails.reduce((sum, partition) => sum + partition.messages, 0),
    partitionDetails,
    configs,
  }
}

export async function readTopicConfigs(admin: Admin, name: string): Promise<TopicConfig[]> {
  const response = await admin.describeConfigs({resources: [{type: TOPIC_RESOURCE, name}], includeSynonyms: false})
  const resource = response.resources[0]
  if (!resource) return []
  if (resource.errorCode !== 0) throw new StreamctlError('KAFKA_REQUEST_FAILED', `DescribeConfigs for topic "${name}" failed with error ${resource.errorCode}: ${resource.errorMessage}`)
  return resource.configEntries
    .map((entry) => ({
      name: entry.configName,
      value: entry.configValue ?? null,
      // DescribeConfigs v0 has no source; then "not default" is the best sign of an override.
      override: entry.configSource === undefined ? !entry.isDefault : entry.configSource === TOPIC_CONFIG_SOURCE,
      readOnly: entry.readOnly,
      sensitive: entry.isSensitive,
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export async function topicExists(admin: Admin, name: string): Promise<boolean> {
  return (await admin.listTopics()).includes(name)
}

async function requireTopic(admin: Admin, name: string): Promise<void> {
  if (!(await topicExists(admin, name))) {
    throw new StreamctlError('TOPIC_NOT_FOUND', `topic "${name}" does not exist`, {hint: '`streamctl topics list` shows the topics there are.'})
  }
}

export async function createTopics(admin: Admin, topics: NewTopic[]): Promise<void> {
  if (topics.length === 0) return
  const existing = new Set(await admin.listTopics())
  const clash = topics.filter((topic) => existing.has(topic.name))
  if (clash.length > 0) throw topicExistsError(clash.map((topic) => topic.name))
  let created: boolean
  try {
    created = await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: topic.replication,
        configEntries: Object.entries(topic.configs).map(([name, value]) => ({name, value})),
      })),
    })
  } catch (error) {
    if (protocolErrorType(error) === 'TOPIC_ALREADY_EXISTS') throw topicExistsError(topics.map((topic) => topic.name), error)
    throw kafkaFailure(error, `creating topic ${topics.map((topic) => topic.name).join(', ')}`)
  }
  // kafkajs answers false instead of failing when a topic appeared since the check above.
  if (!created) throw topicExistsError(topics.map((topic) => topic.name))
}

function topicExistsError(names: string[], cause?: unknown): StreamctlError {
  return new StreamctlError('TOPIC_EXISTS', `topic ${names.map((name) => `"${name}"`).join(', ')} already exists`, {hint: '`streamctl topics describe NAME` shows it.', ...(cause ? {cause} : {})})
}

export async function deleteTopics(admin: Admin, names: string[]): Promise<void> {
  for (const name of names) await requireTopic(admin, name)
  try {
    await admin.deleteTopics({topics: names})
  } catch (error) {
    throw kafkaFailure(error, `deleting topic ${names.join(', ')}`)
  }
}

/** Raises a topic's partition count (Kafka never lowers one). */
export async function increasePartitions(admin: Admin, name: string, count: number): Promise<void> {
  try {
    await admin.createPartitions({topicPartitions: [{topic: name, count}]})
  } catch (error) {
    throw kafkaFailure(error, `raising the partitions of "${name}" to ${count}`)
  }
}

/**
 * Sets topic configs. AlterConfigs replaces every override of the topic, so the overrides not
 * being changed are sent again with their current values: nothing else is reset.
 */
export async function alterTopicConfigs(admin: Admin, name: string, changes: Record<string, string>): Promise<void> {
  const current = await readTopicConfigs(admin, name)
  const merged: Record<string, string> = {}
  for (const config of current) if (config.override && config.value !== null && !config.sensitive) merged[config.name] = config.value
  Object.assign(merged, changes)
  try {
    await admin.alterConfigs({validateOnly: false, resources: [{type: TOPIC_RESOURCE, name, configEntries: Object.entries(merged).map(([key, value]) => ({name: key, value}))}]})
  } catch (error) {
    throw kafkaFailure(error, `altering the configs of "${name}"`)
  }
}
