// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: a topic's configs are its overrides
// over Kafka's defaults (log/topic-config.ts); the broker's own settings are static and read-only.
import type {BrokerContext, RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode, KafkaProtocolError} from '../protocol/errors.js'
import {
  ConfigSource,
  DescribeConfigsRequestSchema,
  DescribeConfigsResponseSchema,
  ResourceType,
  type DescribedConfig,
  type DescribedResource,
} from '../protocol/apis/describe-configs.js'
import {
  AlterConfigsRequestSchema,
  AlterConfigsResponseSchema,
  ConfigOperation,
  IncrementalAlterConfigsRequestSchema,
  IncrementalAlterConfigsResponseSchema,
  type AlterConfigsResult,
} from '../protocol/apis/alter-configs.js'
import {ConfigType, splitList, TOPIC_CONFIGS} from '../log/topic-config.js'
import {outcome} from './outcome.js'

export interface DescribeOptions {
  includeSynonyms: boolean
  includeDocumentation: boolean
}

const INERT = ' Accepted and stored; this single-node broker does not act on it.'

/**
 * Every standard topic config of a topic with `overrides`: the override where there is one
 * (TOPIC_CONFIG), else Kafka's default (DEFAULT_CONFIG). Synonyms list, as Kafka does, the override
 * then the broker setting it falls back to.
 */
export function describeTopicConfigs(overrides: Record<string, string>, options: DescribeOptions): DescribedConfig[] {
  return Object.entries(TOPIC_CONFIGS).map(([name, definition]) => {
    const override = overrides[name]
    const synonyms = [
      ...(override === undefined ? [] : [{name, value: override, source: ConfigSource.topic}]),
      {...definition.brokerSynonym, source: ConfigSource.default},
    ]
    return {
      name,
      value: override ?? definition.default,
      readOnly: definition.effect === 'readOnly',
      isDefault: override === undefined,
      configSource: override === undefined ? ConfigSource.default : ConfigSource.topic,
      isSensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [],
      configType: ConfigType[definition.type],
      documentation: options.includeDocumentation
        ? definition.doc + (definition.effect === 'inert' ? INERT : '')
        : null,
    }
  })
}

/** The broker's settings: what it was started with, then the broker defaults topics fall back to. */
function describeBrokerConfigs(broker: BrokerContext, options: DescribeOptions): DescribedConfig[] {
  const config = (name: string, value: string, source: number, type: keyof typeof ConfigType): DescribedConfig => ({
    name,
    value,
    readOnly: true,
    isDefault: source === ConfigSource.default,
    configSource: source,
    isSensitive: false,
    synonyms: options.includeSynonyms ? [{name, value, source}] : [],
    configType: ConfigType[type],
    documentation: null,
  })
  const described = new Map<string, DescribedConfig>()
  for (const [name, value] of Object.entries(brokerConfigs(broker)))
    described.set(name, config(name, value, ConfigSource.staticBroker, /^\d+$/.test(value) ? 'int' : 'string'))
  for (const definition of Object.values(TOPIC_CONFIGS)) {
    const {name, value} = definition.brokerSynonym
    if (!described.has(name)) described.set(name, config(name, value, ConfigSource.default, definition.type))
  }
  return [...described.values()]
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
  const request = DescribeConfigsRequestSchema.read(decoder, info.apiVersion)
  const results = request.resources.map((resource): DescribedResource => {
    const base = {resourceType: resource.resourceType, resourceName: resource.resourceName}
    let configs: DescribedConfig[]
    if (resource.resourceType === ResourceType.topic) {
      const descriptor = broker.topics.describe(resource.resourceName)
      if (!descriptor)
        return {
          ...base,
          errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'),
          errorMessage: `Topic '${resource.resourceName}' does not exist.`,
          configs: [],
        }
      configs = describeTopicConfigs(descriptor.configs, request)
    } else if (resource.resourceType === ResourceType.broker) {
      configs = describeBrokerConfigs(broker, request)
    } else {
      return {
        ...base,
        errorCode: errorCode('INVALID_REQUEST'),
        errorMessage: `Resource type ${resource.resourceType} is not supported.`,
        configs: [],
      }
    }
    const keys = resource.configurationKeys
    return {
      ...base,
      errorCode: 0,
      errorMessage: null,
      configs: keys && keys.length > 0 ? configs.filter((config) => keys.includes(config.name)) : configs,
    }
  })
  return DescribeConfigsResponseSchema.encode(info.apiVersion, {throttleTimeMs: 0, results})
}

/** Applies `change` to one topic resource; other resource types are static here. */
function alterTopic(
  broker: BrokerContext,
  resource: {resourceType: number; resourceName: string},
  validateOnly: boolean,
  change: (current: Record<string, string>) => Record<string, string>,
): AlterConfigsResult {
  const base = {resourceType: resource.resourceType, resourceName: resource.resourceName}
  if (resource.resourceType !== ResourceType.topic)
    return {
      ...base,
      errorCode: errorCode('INVALID_REQUEST'),
      errorMessage: 'Only topic configs can be altered on this broker; its own settings are static.',
    }
  let configs: Record<string, string> = {}
  const result = outcome(resource.resourceName, () => {
    const descriptor = broker.topics.describe(resource.resourceName)
    if (!descriptor)
      throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${resource.resourceName}' does not exist.`)
    configs = change(descriptor.configs)
    broker.topics.replaceConfigs(resource.resourceName, configs, validateOnly)
  })
  if (result.errorCode === 0 && !validateOnly)
    broker.logger.log('info', 'topic configs altered', {topic: resource.resourceName, configs})
  return {...base, errorCode: result.errorCode, errorMessage: result.errorMessage}
}

export function handleAlterConfigs({decoder, info, broker}: RequestContext): Encoder {
  const request = AlterConfigsRequestSchema.read(decoder, info.apiVersion)
  const responses = request.resources.map((resource) =>
    alterTopic(broker, resource, request.validateOnly, () => nonNullConfigs(resource.configs)),
  )
  return AlterConfigsResponseSchema.encode(info.apiVersion, {throttleTimeMs: 0, responses})
}

/** A config list as a map, leaving out null values (which mean "no override"). */
export function nonNullConfigs(entries: ReadonlyArray<{name: string; value: string | null}>): Record<string, string> {
  return Object.fromEntries(
    entries
      .filter((entry): entry is {name: string; value: string} => entry.value !== null)
      .map((e) => [e.name, e.value]),
  )
}

export function handleIncrementalAlterConfigs({decoder, info, broker}: RequestContext): Encoder {
  const request = IncrementalAlterConfigsRequestSchema.read(decoder, info.apiVersion)
  const responses = request.resources.map((resource) =>
    alterTopic(broker, resource, request.validateOnly, (current) => applyOperations(current, resource.configs)),
  )
  return IncrementalAlterConfigsResponseSchema.encode(info.apiVersion, {throttleTimeMs: 0, responses})
}

/** IncrementalAlterConfigs on a topic's overrides; validation of the result is the store's. */
export function applyOperations(
  current: Record<string, string>,
  operations: ReadonlyArray<{name: string; configOperation: number; value: string | null}>,
): Record<string, string> {
  const next = {...current}
  const seen = new Set<string>()
  for (const {name, configOperation, value} of operations) {
    if (seen.has(name)) throw new KafkaProtocolError('INVALID_REQUEST', `Config ${name} appears twice in one request.`)
    seen.add(name)
    const definition = TOPIC_CONFIGS[name]
    if (!definition) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${name}`)
    if (configOperation === ConfigOperation.delete) {
      delete next[name]
      continue
    }
    if (value === null) throw new KafkaProtocolError('INVALID_CONFIG', `A null value for config ${name} needs DELETE.`)
    if (configOperation === ConfigOperation.set) {
      next[name] = value
      continue
    }
    if (configOperation !== ConfigOperation.append && configOperation !== ConfigOperation.subtract)
      throw new KafkaProtocolError('INVALID_REQUEST', `Unknown config operation ${configOperation} for ${name}.`)
    if (definition.type !== 'list')
      throw new KafkaProtocolError('INVALID_CONFIG', `Config ${name} is not a list: APPEND and SUBTRACT need one.`)
    const items = splitList(next[name] ?? definition.default)
    const given = splitList(value)
    next[name] = (
      configOperation === ConfigOperation.append
        ? [...items, ...given.filter((item) => !items.includes(item))]
        : items.filter((item) => !given.includes(item))
    ).join(',')
  }
  return next
}
