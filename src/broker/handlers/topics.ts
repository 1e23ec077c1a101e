// Topic administration and discovery: Metadata (with optional auto-creation), CreateTopics,
// DeleteTopics and CreatePartitions.
import type {BrokerContext, RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {MetadataRequestSchema, MetadataResponseSchema, type MetadataTopic} from '../protocol/apis/metadata.js'
import {
  CreateTopicsRequestSchema,
  CreateTopicsResponseSchema,
  type CreatableTopic,
  type CreatableTopicResult,
} from '../protocol/apis/create-topics.js'
import {
  DeleteTopicsRequestSchema,
  DeleteTopicsResponseSchema,
  type DeletableTopicResult,
} from '../protocol/apis/delete-topics.js'
import {CreatePartitionsRequestSchema, CreatePartitionsResponseSchema} from '../protocol/apis/create-partitions.js'
import {ZERO_UUID} from '../protocol/schema.js'
import {describeTopicConfigs, nonNullConfigs} from './configs.js'
import {outcome} from './outcome.js'

export function handleMetadata({decoder, info, broker}: RequestContext): Encoder {
  const request = MetadataRequestSchema.read(decoder, info.apiVersion)
  // v0 asks for every topic with an empty list, later versions with null.
  const everyTopic = request.topics === null || (info.apiVersion === 0 && request.topics.length === 0)
  const wanted = everyTopic ? broker.topics.names().map((name) => ({name, topicId: ZERO_UUID})) : request.topics!
  const topics = wanted.map((asked): MetadataTopic => {
    // v12 may ask by id alone.
    const name = asked.name ?? broker.topics.nameOf(asked.topicId)
    if (name === undefined)
      return {errorCode: errorCode('UNKNOWN_TOPIC_ID'), name: null, topicId: asked.topicId, partitions: []}
    if (!broker.topics.has(name) && broker.autoCreateTopics && request.allowAutoTopicCreation) {
      const created = outcome(name, () => broker.topics.create(name, broker.defaultPartitions))
      if (created.errorCode === 0)
        broker.logger.log('info', 'topic auto-created', {topic: name, partitions: broker.defaultPartitions})
      else return {errorCode: created.errorCode, name, topicId: ZERO_UUID, partitions: []}
    }
    const descriptor = broker.topics.describe(name)
    if (!descriptor)
      return {errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'), name, topicId: ZERO_UUID, partitions: []}
    return {
      errorCode: 0,
      name,
      topicId: descriptor.topicId,
      partitions: broker.topics.partitions(name).map((partition) => ({
        errorCode: 0,
        partitionIndex: partition.index,
        leaderId: broker.node.nodeId,
        leaderEpoch: 0,
        replicaNodes: [broker.node.nodeId],
        isrNodes: [broker.node.nodeId],
      })),
    }
  })
  return MetadataResponseSchema.encode(info.apiVersion, {
    brokers: [broker.node],
    clusterId: broker.clusterId,
    controllerId: broker.node.nodeId,
    topics,
  })
}

export function handleCreateTopics({decoder, info, broker}: RequestContext): Encoder {
  const request = CreateTopicsRequestSchema.read(decoder, info.apiVersion)
  const topics = request.topics.map((topic): CreatableTopicResult => {
    const configs = nonNullConfigs(topic.configs)
    let partitions = 0
    const result = outcome(topic.name, () => {
      partitions = partitionCount(topic, broker)
      if (request.validateOnly) broker.topics.validateCreate(topic.name, partitions, configs)
      else {
        broker.topics.create(topic.name, partitions, configs)
        broker.logger.log('info', 'topic created', {topic: topic.name, partitions, configs})
      }
    })
    if (result.errorCode !== 0) return result
    // v5+: what was created (validateOnly creates nothing, so no id).
    return {
      ...result,
      topicId: broker.topics.describe(topic.name)?.topicId ?? ZERO_UUID,
      numPartitions: partitions,
      replicationFactor: 1,
      configs: describeTopicConfigs(configs, {includeSynonyms: false, includeDocumentation: false}),
    }
  })
  return CreateTopicsResponseSchema.encode(info.apiVersion, {throttleTimeMs: 0, topics})
}

/** The partitions a CreateTopics entry asks for, after checking its replicas fit this one broker. */
function partitionCount(topic: CreatableTopic, broker: BrokerContext): number {
  if (topic.replicationFactor !== -1 && topic.replicationFactor !== 1)
    throw new KafkaProtocolError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor ${topic.replicationFactor} is larger than the 1 available broker.`,
    )
  if (topic.assignments.length === 0) return topic.numPartitions === -1 ? broker.defaultPartitions : topic.numPartitions
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1)
    throw new KafkaProtocolError(
      'INVALID_REQUEST',
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    )
  const indexes = topic.assignments.map((assignment) => assignment.partitionIndex).sort((a, b) => a - b)
  if (indexes.some((index, position) => index !== position))
    throw new KafkaProtocolError(
      'INVALID_REPLICA_ASSIGNMENT',
      `Partitions of the assignment must be 0 to ${indexes.length - 1} with no gap, got ${indexes.join(', ')}.`,
    )
  checkReplicaAssignment(
    topic.assignments.map((assignment) => assignment.brokerIds),
    broker,
  )
  return topic.assignments.length
}

/** Every new partition on exactly this broker: one replica, and no broker id that does not exist. */
function checkReplicaAssignment(assignments: number[][], broker: BrokerContext): void {
  for (const brokerIds of assignments) {
    const unknown = brokerIds.filter((id) => id !== broker.node.nodeId)
    if (unknown.length > 0)
      throw new KafkaProtocolError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Unknown broker ${unknown.join(', ')} in the replica assignment: the only broker is ${broker.node.nodeId}.`,
      )
    if (brokerIds.length !== 1)
      throw new KafkaProtocolError(
        'INVALID_REPLICA_ASSIGNMENT',
        `A replica assignment of ${brokerIds.length} brokers: every partition has exactly 1 replica here.`,
      )
  }
}

export function handleDeleteTopics({decoder, info, broker}: RequestContext): Encoder {
  const request = DeleteTopicsRequestSchema.read(decoder, info.apiVersion)
  // Up to v5 topics are names; v6 names each by name or by id.
  const asked = info.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({name, topicId: ZERO_UUID}))
  const responses = asked.map(({name: askedName, topicId}): DeletableTopicResult => {
    if (askedName !== null && topicId !== ZERO_UUID)
      return {
        name: askedName,
        topicId,
        errorCode: errorCode('INVALID_REQUEST'),
        errorMessage: 'You may not specify both topic name and topic id.',
      }
    const name = askedName ?? broker.topics.nameOf(topicId)
    if (name === undefined)
      return {
        name: null,
        topicId,
        errorCode: errorCode('UNKNOWN_TOPIC_ID'),
        errorMessage: `No topic has id ${topicId}.`,
      }
    const id = broker.topics.describe(name)?.topicId ?? ZERO_UUID
    const result = outcome(name, () => {
      broker.topics.delete(name)
      broker.coordinator.forgetTopic(name)
      broker.transactions.forgetTopic(name)
      broker.logger.log('info', 'topic deleted', {topic: name, topicId: id})
    })
    return {name, topicId: id, errorCode: result.errorCode, errorMessage: result.errorMessage}
  })
  return DeleteTopicsResponseSchema.encode(info.apiVersion, {responses})
}

export function handleCreatePartitions({decoder, info, broker}: RequestContext): Encoder {
  const request = CreatePartitionsRequestSchema.read(decoder, info.apiVersion)
  const results = request.topics.map((topic) =>
    outcome(topic.name, () => {
      const current = broker.topics.describe(topic.name)?.partitions
      if (topic.assignments !== null && current !== undefined && topic.count > current) {
        if (topic.assignments.length !== topic.count - current)
          throw new KafkaProtocolError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Increasing the number of partitions by ${topic.count - current} but ${topic.assignments.length} assignments provided.`,
          )
        checkReplicaAssignment(
          topic.assignments.map((assignment) => assignment.brokerIds),
          broker,
        )
      }
      broker.topics.increasePartitions(topic.name, topic.count, request.validateOnly)
    }),
  )
  return CreatePartitionsResponseSchema.encode(info.apiVersion, {throttleTimeMs: 0, results})
}
