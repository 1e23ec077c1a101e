// Topic configs the broker understands, their defaults (Kafka's), and validation of the values a
// client sends with CreateTopics. Known keys the broker does not act on are stored and reported.
import {KafkaProtocolError} from '../protocol/errors.js'

export const TOPIC_CONFIG_DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'max.message.bytes': '1048588',
  'message.timestamp.type': 'CreateTime',
  'min.insync.replicas': '1',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
  'segment.index.bytes': '10485760',
  'index.interval.bytes': '4096',
  'delete.retention.ms': '86400000',
  'file.delete.delay.ms': '60000',
  'flush.messages': '9223372036854775807',
  'flush.ms': '9223372036854775807',
  'min.compaction.lag.ms': '0',
  'max.compaction.lag.ms': '9223372036854775807',
  'min.cleanable.dirty.ratio': '0.5',
  'unclean.leader.election.enable': 'false',
  preallocate: 'false',
  'message.downconversion.enable': 'true',
  'segment.jitter.ms': '0',
}

const NUMERIC = new Set([
  'max.message.bytes',
  'min.insync.replicas',
  'retention.bytes',
  'retention.ms',
  'segment.bytes',
  'segment.ms',
  'index.interval.bytes',
  'segment.index.bytes',
])

const ENUMS: Record<string, string[]> = {
  'cleanup.policy': ['delete', 'compact', 'compact,delete', 'delete,compact'],
  'message.timestamp.type': ['CreateTime', 'LogAppendTime'],
  'compression.type': ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'],
}

/** Checks client-supplied configs; throws INVALID_CONFIG naming the key. */
export function validateTopicConfigs(configs: Record<string, string>): void {
  for (const [key, value] of Object.entries(configs)) {
    if (!(key in TOPIC_CONFIG_DEFAULTS))
      throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${key}`)
    if (NUMERIC.has(key) && !/^-?\d+$/.test(value))
      throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${value} for configuration ${key}: not a number`)
    const allowed = ENUMS[key]
    if (allowed && !allowed.includes(value))
      throw new KafkaProtocolError(
        'INVALID_CONFIG',
        `Invalid value ${value} for configuration ${key}: must be one of ${allowed.join(', ')}`,
      )
  }
  if (configs['segment.bytes'] !== undefined && Number(configs['segment.bytes']) < 1024)
    throw new KafkaProtocolError('INVALID_CONFIG', 'segment.bytes must be at least 1024')
}

/** The numbers the log acts on, resolved from a topic's configs over the defaults. */
export interface LogSettings {
  segmentBytes: number
  segmentMs: number
  retentionMs: number
  retentionBytes: number
  indexIntervalBytes: number
  maxMessageBytes: number
}

export function logSettings(configs: Record<string, string>): LogSettings {
  const number = (key: string) => Number(configs[key] ?? TOPIC_CONFIG_DEFAULTS[key])
  return {
    segmentBytes: number('segment.bytes'),
    segmentMs: number('segment.ms'),
    retentionMs: number('retention.ms'),
    retentionBytes: number('retention.bytes'),
    indexIntervalBytes: number('index.interval.bytes'),
    maxMessageBytes: number('max.message.bytes'),
  }
}
