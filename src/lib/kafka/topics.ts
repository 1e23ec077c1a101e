// Reading topics through kafkajs, so it works against the embedded broker and any Kafka cluster:
// list them, describe one (partitions, earliest/latest offsets, configs via DescribeConfigs).
import type {Admin} from 'kafkajs'
import {StreamctlError} from '../errors.js'

/** ConfigResourceTypes.TOPIC of the Kafka protocol (kept here so kafkajs loads lazily). */
export const TOPIC_RESOURCE = 2
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
  const [{topics}, offsets, configs] = await Promise.all([
    admin.fetchTopicMetadata({topics: [name]}),
    admin.fetchTopicOffsets(name),
    readTopicConfigs(admin, name),
  ])
  const metadata = topics[0]!
  const byPartition = new Map(offsets.map((entry) => [entry.partition, entry]))
  const partitionDetails = metadata.partitions
    .map((partition): PartitionDescription => {
      const entry = byPartition.get(partition.partitionId)
      const earliest = Number(entry?.low ?? 0)
      const latest = Number(entry?.high ?? 0)
      return {
        partition: partition.partitionId,
        leader: partition.leader,
        replicas: partition.replicas,
        isr: partition.isr,
        earliest,
        latest,
        messages: latest - earliest,
      }
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
  if (resource.errorCode !== 0)
    throw new StreamctlError(
      'KAFKA_REQUEST_FAILED',
      `DescribeConfigs for topic "${name}" failed with error ${resource.errorCode}: ${resource.errorMessage}`,
    )
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

export async function requireTopic(admin: Admin, name: string): Promise<void> {
  if (!(await topicExists(admin, name))) {
    throw new StreamctlError('TOPIC_NOT_FOUND', `topic "${name}" does not exist`, {
      hint: '`streamctl topics list` shows the topics there are.',
    })
  }
}
