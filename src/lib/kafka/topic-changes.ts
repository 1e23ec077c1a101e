// Changing topics through kafkajs: create, delete, add partitions, alter configs. Each failure
// becomes a StreamctlError that names the topic.
import type {Admin} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {kafkaFailure, protocolErrorType} from './client.js'
import {readTopicConfigs, requireTopic, TOPIC_RESOURCE} from './topics.js'

export interface NewTopic {
  name: string
  partitions: number
  replication: number
  configs: Record<string, string>
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
    if (protocolErrorType(error) === 'TOPIC_ALREADY_EXISTS')
      throw topicExistsError(
        topics.map((topic) => topic.name),
        error,
      )
    throw kafkaFailure(error, `creating topic ${topics.map((topic) => topic.name).join(', ')}`)
  }
  // kafkajs answers false instead of failing when a topic appeared since the check above.
  if (!created) throw topicExistsError(topics.map((topic) => topic.name))
}

function topicExistsError(names: string[], cause?: unknown): StreamctlError {
  return new StreamctlError('TOPIC_EXISTS', `topic ${names.map((name) => `"${name}"`).join(', ')} already exists`, {
    hint: '`streamctl topics describe NAME` shows it.',
    ...(cause ? {cause} : {}),
  })
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
  for (const config of current)
    if (config.override && config.value !== null && !config.sensitive) merged[config.name] = config.value
  Object.assign(merged, changes)
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {type: TOPIC_RESOURCE, name, configEntries: Object.entries(merged).map(([key, value]) => ({name: key, value}))},
      ],
    })
  } catch (error) {
    throw kafkaFailure(error, `altering the configs of "${name}"`)
  }
}
