// Topic administration and discovery: Metadata (with optional auto-creation), CreateTopics,
// DeleteTopics, CreatePartitions and DescribeConfigs.
import type {BrokerContext, RequestContext} from '../context.js'
import {encodeResponse, type Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {MetadataRequestSchema, MetadataResponseSchema, type MetadataTopic} from '../protocol/apis/metadata.js'
import {
  decodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
  type TopicResults,
} from '../protocol/apis/create-topics.js'
import {
  DeleteTopicsRequestSchema,
  DeleteTopicsResponseSchema,
  type DeletableTopicResult,
} from '../protocol/apis/delete-topics.js'
import {ZERO_UUID} from '../protocol/schema.js'
import {decodeCreatePartitionsRequest, encodeCreatePartitionsResponse} from '../protocol/apis/create-partitions.js'
import {
  decodeDescribeConfigsRequest,
  encodeDescribeConfigsResponse,
  ResourceType,
  type DescribedResource,
} from '../protocol/apis/describe-configs.js'
import {decodeAlterConfigsRequest, encodeAlterConfigsResponse} from '../protocol/apis/alter-configs.js'
import {TOPIC_CONFIG_DEFAULTS} from '../log/topic-config.js'

function outcome(name: string, action: () => void): TopicResults[number] {
  try {
    action()
    return {name, errorCode: 0, errorMessage: null}
  } catch (error) {
    if (!(error instanceof KafkaProtocolError)) throw error
    return {name, errorCode: error.code, errorMessage: error.message}
  }
}

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
  const request = decodeCreateTopicsRequest(decoder, info.apiVersion)
  const results = request.topics.map((topic) =>
    outcome(topic.name, () => {
      const partitions =
        topic.numPartitions === -1 ? topic.assignments.length || broker.defaultPartitions : topic.numPartitions
      if (topic.replicationFactor !== -1 && topic.replicationFactor !== 1)
        throw new KafkaProtocolError(
          'INVALID_REPLICATION_FACTOR',
          `Replication factor ${topic.replicationFactor} is larger than the 1 available broker.`,
        )
      if (request.validateOnly) broker.topics.validateCreate(topic.name, partitions, topic.configs)
      else {
        broker.topics.create(topic.name, partitions, topic.configs)
        broker.logger.log('info', 'topic created', {topic: topic.name, partitions, configs: topic.configs})
      }
    }),
  )
  return encodeResponse(encodeCreateTopicsResponse, info.apiVersion, results)
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
      broker.logger.log('info', 'topic deleted', {topic: name, topicId: id})
    })
    return {name, topicId: id, errorCode: result.errorCode, errorMessage: result.errorMessage}
  })
  return DeleteTopicsResponseSchema.encode(info.apiVersion, {responses})
}

export function handleCreatePartitions({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeCreatePartitionsRequest(decoder)
  const results = request.topics.map((topic) =>
    outcome(topic.name, () => broker.topics.increasePartitions(topic.name, topic.count, request.validateOnly)),
  )
  return encodeResponse(encodeCreatePartitionsResponse, info.apiVersion, results)
}

export function brokerConfigs(broker: BrokerContext): Record<string, string> {
  return {
    'broker.id': String(broker.node.nodeId),
    'auto.create.topics.enable': String(broker.autoCreateTopics),
    'num.partitions': String(broker.defaultPartitions),
    'default.replication.factor': '1',
    'log.flush.policy': broker.flush.policy,
  }
}

export function handleDescribeConfigs({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeDescribeConfigsRequest(decoder, info.apiVersion)
  const results = request.resources.map((resource): DescribedResource => {
    const base = {resourceType: resource.resourceType, resourceName: resource.resourceName}
    let configs: Array<{name: string; value: string; isDefault: boolean; readOnly: boolean}>
    if (resource.resourceType === ResourceType.topic) {
      const descriptor = broker.topics.describe(resource.resourceName)
      if (!descriptor)
        return {
          ...base,
          errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
          errorMessage: `Topic '${resource.resourceName}' does not exist.`,
          configs: [],
        }
      configs = Object.entries(TOPIC_CONFIG_DEFAULTS).map(([name, value]) => ({
        name,
        value: descriptor.configs[name] ?? value,
        isDefault: descriptor.configs[name] === undefined,
        readOnly: false,
      }))
    } else if (resource.resourceType === ResourceType.broker) {
      configs = Object.entries(brokerConfigs(broker)).map(([name, value]) => ({
        name,
        value,
        isDefault: false,
        readOnly: true,
      }))
    } else {
      return {
        ...base,
        errorCode: errorCode('INVALID_REQUEST'),
        errorMessage: `Resource type ${resource.resourceType} is not supported.`,
        configs: [],
      }
    }
    const keys = resource.keys
    return {
      ...base,
      errorCode: 0,
      errorMessage: null,
      configs: keys && keys.length > 0 ? configs.filter((config) => keys.includes(config.name)) : configs,
    }
  })
  return encodeResponse(encodeDescribeConfigsResponse, info.apiVersion, results)
}

export function handleAlterConfigs({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeAlterConfigsRequest(decoder)
  const results = request.resources.map((resource) => {
    const base = {resourceType: resource.resourceType, resourceName: resource.resourceName}
    if (resource.resourceType !== ResourceType.topic)
      return {
        ...base,
        errorCode: errorCode('INVALID_REQUEST'),
        errorMessage: 'Only topic configs can be altered on this broker.',
      }
    const result = outcome(resource.resourceName, () =>
      broker.topics.replaceConfigs(resource.resourceName, resource.configs, request.validateOnly),
    )
    if (result.errorCode === 0 && !request.validateOnly)
      broker.logger.log('info', 'topic configs altered', {topic: resource.resourceName, configs: resource.configs})
    return {...base, errorCode: result.errorCode, errorMessage: result.errorMessage}
  })
  return encodeResponse(encodeAlterConfigsResponse, info.apiVersion, results)
}
