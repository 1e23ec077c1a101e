// Topic administration and discovery: Metadata (with optional auto-creation), CreateTopics,
// DeleteTopics, CreatePartitions and DescribeConfigs.
import type {BrokerContext, RequestContext} from '../context.js'
import {encodeResponse, type Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {decodeMetadataRequest, encodeMetadataResponse, type MetadataTopic} from '../protocol/apis/metadata.js'
import {
  decodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
  type TopicResults,
} from '../protocol/apis/create-topics.js'
import {decodeDeleteTopicsRequest, encodeDeleteTopicsResponse} from '../protocol/apis/delete-topics.js'
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
  const request = decodeMetadataRequest(decoder, info.apiVersion)
  const names = request.topics ?? broker.topics.names()
  const topics = names.map((name): MetadataTopic => {
    if (!broker.topics.has(name) && broker.autoCreateTopics && request.allowAutoTopicCreation) {
      const created = outcome(name, () => broker.topics.create(name, broker.defaultPartitions))
      if (created.errorCode === 0)
        broker.logger.log('info', 'topic auto-created', {topic: name, partitions: broker.defaultPartitions})
      else return {errorCode: created.errorCode, name, partitions: []}
    }
    if (!broker.topics.has(name)) return {errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'), name, partitions: []}
    return {
      errorCode: 0,
      name,
      partitions: broker.topics.partitions(name).map((partition) => ({
        errorCode: 0,
        partitionIndex: partition.index,
        leaderId: broker.node.nodeId,
        replicas: [broker.node.nodeId],
      })),
    }
  })
  return encodeResponse(encodeMetadataResponse, info.apiVersion, {
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
  const request = decodeDeleteTopicsRequest(decoder)
  const results = request.topics.map((name) => {
    const result = outcome(name, () => {
      broker.topics.delete(name)
      broker.coordinator.forgetTopic(name)
      broker.transactions.forgetTopic(name)
      broker.logger.log('info', 'topic deleted', {topic: name})
    })
    return {name, errorCode: result.errorCode}
  })
  return encodeResponse(encodeDeleteTopicsResponse, info.apiVersion, results)
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
