// Every topic of the broker: its partition logs under `<dataDir>/topics/<topic>/<partition>/` and
// its id and configs in `<dataDir>/topics/<topic>/topic.json`, which is written before any partition
// directory so a topic is either fully described on disk or absent. A topic's id (a random UUID,
// Metadata v10+) is made with the topic, so a re-created topic of the same name gets a new one.
import {randomUUID} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {StreamctlError} from '../../lib/errors.js'
import {KafkaProtocolError} from '../protocol/errors.js'
import {PartitionLog} from './partition-log.js'
import {ProducerState} from './producer-state.js'
import {logSettings, validateTopicConfigs} from './topic-config.js'

export interface TopicDescriptor {
  name: string
  topicId: string
  partitions: number
  configs: Record<string, string>
}

export interface Partition {
  topic: string
  index: number
  log: PartitionLog
  producers: ProducerState
}

interface Topic {
  descriptor: TopicDescriptor
  partitions: Partition[]
}

export interface TopicStoreEvents {
  onRecovered?(topic: string, partition: number, truncatedBytes: number): void
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/

export function checkTopicName(name: string): void {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..')
    throw new KafkaProtocolError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name "${name}" is illegal: use up to 249 letters, digits, '.', '_' or '-'`,
    )
}

export class TopicStore {
  private readonly topics = new Map<string, Topic>()
  /** Topic name by topic id, for the requests that name topics by id (Fetch v13+ on every poll). */
  private readonly namesById = new Map<string, string>()
  private readonly root: string

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'topics')
  }

  /** Loads every topic on disk, recovering each partition's log. */
  load(events: TopicStoreEvents = {}): void {
    mkdirSync(this.root, {recursive: true})
    for (const name of readdirSync(this.root)) {
      const file = path.join(this.root, name, 'topic.json')
      if (!existsSync(file)) {
        rmSync(path.join(this.root, name), {recursive: true, force: true})
        continue
      }
      const stored = readDescriptor(file)
      const descriptor: TopicDescriptor = {...stored, topicId: stored.topicId ?? randomUUID()}
      // A topic written before topics had ids gets one now, kept from then on.
      if (stored.topicId === undefined) this.writeDescriptor(descriptor)
      const partitions: Partition[] = []
      for (let index = 0; index < descriptor.partitions; index++) {
        const producers = new ProducerState()
        const {log, recovery} = PartitionLog.open(
          this.partitionDir(name, index),
          logSettings(descriptor.configs),
          (header) => producers.record(header),
        )
        if (recovery.truncatedBytes > 0) events.onRecovered?.(name, index, recovery.truncatedBytes)
        partitions.push({topic: name, index, log, producers})
      }
      this.topics.set(name, {descriptor, partitions})
      this.namesById.set(descriptor.topicId, name)
    }
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.root, topic, String(partition))
  }

  private writeDescriptor(descriptor: TopicDescriptor): void {
    const dir = path.join(this.root, descriptor.name)
    mkdirSync(dir, {recursive: true})
    const file = path.join(dir, 'topic.json')
    writeFileSync(`${file}.tmp`, `${JSON.stringify(descriptor, null, 2)}\n`)
    renameSync(`${file}.tmp`, file)
  }

  has(name: string): boolean {
    return this.topics.has(name)
  }

  names(): string[] {
    return [...this.topics.keys()].sort()
  }

  describe(name: string): TopicDescriptor | undefined {
    return this.topics.get(name)?.descriptor
  }

  /** The name of the topic with this id, if there is one. */
  nameOf(topicId: string): string | undefined {
    return this.namesById.get(topicId)
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index]
  }

  partitions(topic: string): Partition[] {
    return this.topics.get(topic)?.partitions ?? []
  }

  /** Checks a topic could be created; throws the protocol error a client should see. */
  validateCreate(name: string, partitions: number, configs: Record<string, string>): void {
    checkTopicName(name)
    if (this.topics.has(name)) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`)
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000)
      throw new KafkaProtocolError(
        'INVALID_PARTITIONS',
        `Number of partitions must be between 1 and 10000, got ${partitions}.`,
      )
    validateTopicConfigs(configs)
  }

  create(name: string, partitions: number, configs: Record<string, string> = {}): TopicDescriptor {
    this.validateCreate(name, partitions, configs)
    const descriptor: TopicDescriptor = {name, topicId: randomUUID(), partitions, configs}
    this.writeDescriptor(descriptor)
    const topic: Topic = {descriptor, partitions: []}
    this.addPartitions(topic, partitions)
    this.topics.set(name, topic)
    this.namesById.set(descriptor.topicId, name)
    return descriptor
  }

  private addPartitions(topic: Topic, count: number): void {
    for (let index = topic.partitions.length; index < count; index++) {
      const {log} = PartitionLog.open(
        this.partitionDir(topic.descriptor.name, index),
        logSettings(topic.descriptor.configs),
      )
      topic.partitions.push({topic: topic.descriptor.name, index, log, producers: new ProducerState()})
    }
  }

  /** Grows a topic to `count` partitions (never shrinks it). */
  increasePartitions(name: string, count: number, validateOnly = false): void {
    const topic = this.topics.get(name)
    if (!topic) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`)
    if (count <= topic.descriptor.partitions)
      throw new KafkaProtocolError(
        'INVALID_PARTITIONS',
        `Topic currently has ${topic.descriptor.partitions} partitions, which is higher than or equal to the requested ${count}.`,
      )
    if (validateOnly) return
    topic.descriptor = {...topic.descriptor, partitions: count}
    this.writeDescriptor(topic.descriptor)
    this.addPartitions(topic, count)
  }

  /** Replaces a topic's configs (AlterConfigs is not incremental) and applies them to its logs. */
  replaceConfigs(name: string, configs: Record<string, string>, validateOnly = false): void {
    const topic = this.topics.get(name)
    if (!topic) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`)
    validateTopicConfigs(configs)
    if (validateOnly) return
    topic.descriptor = {...topic.descriptor, configs}
    this.writeDescriptor(topic.descriptor)
    for (const partition of topic.partitions) partition.log.updateSettings(logSettings(configs))
  }

  delete(name: string): Partition[] {
    const topic = this.topics.get(name)
    if (!topic) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`)
    this.topics.delete(name)
    this.namesById.delete(topic.descriptor.topicId)
    for (const partition of topic.partitions) partition.log.close()
    rmSync(path.join(this.root, name), {recursive: true, force: true})
    return topic.partitions
  }

  all(): Partition[] {
    return [...this.topics.values()].flatMap((topic) => topic.partitions)
  }

  close(): void {
    for (const partition of this.all()) partition.log.close()
  }
}

/** A descriptor as read from disk: the id is missing from topics written before topics had ids. */
function readDescriptor(file: string): Omit<TopicDescriptor, 'topicId'> & {topicId?: string} {
  let descriptor: Partial<TopicDescriptor>
  try {
    descriptor = JSON.parse(readFileSync(file, 'utf8')) as Partial<TopicDescriptor>
  } catch (error) {
    throw new StreamctlError(
      'BROKER_DATA_INVALID',
      `${file}: not a readable topic descriptor (${(error as Error).message})`,
      {hint: 'Restore the file from a backup, or remove the topic directory to drop the topic.', cause: error},
    )
  }
  if (
    typeof descriptor.name !== 'string' ||
    !Number.isInteger(descriptor.partitions) ||
    typeof descriptor.configs !== 'object' ||
    descriptor.configs === null ||
    (descriptor.topicId !== undefined && !UUID.test(descriptor.topicId))
  ) {
    throw new StreamctlError(
      'BROKER_DATA_INVALID',
      `${file}: a topic descriptor needs name, partitions and configs (and a UUID topicId)`,
      {
        hint: 'Restore the file from a backup, or remove the topic directory to drop the topic.',
      },
    )
  }
  return descriptor as Omit<TopicDescriptor, 'topicId'> & {topicId?: string}
}
