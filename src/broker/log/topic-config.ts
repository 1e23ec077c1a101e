// Kafka's standard topic configs as data: each one's default (Kafka's), type, the broker setting it
// falls back to (its synonym, as DescribeConfigs lists it), and whether this broker acts on it.
// A topic keeps only its overrides; everything else is the default. Configs marked `inert` are
// accepted, stored and reported but change nothing here (one node, no compaction, one message
// format); `readOnly` ones cannot be set at all. Validation errors are INVALID_CONFIG naming the key.
import {KafkaProtocolError} from '../protocol/errors.js'

/** DescribeConfigs v3+ `config_type`. */
export const ConfigType = {boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7} as const

export interface TopicConfigDefinition {
  type: keyof typeof ConfigType
  default: string
  /** The broker config a topic without an override falls back to, and that broker default. */
  brokerSynonym: {name: string; value: string}
  /** Whether this broker acts on the value ('inert': accepted and stored only). */
  effect: 'acted' | 'inert' | 'readOnly'
  /** Smallest accepted number (for int, long and double). */
  min?: number
  /** Allowed values (each item, for a list). */
  oneOf?: readonly string[]
  doc: string
}

const LONG_MAX = '9223372036854775807'
const WEEK_MS = '604800000'

const def = (
  type: TopicConfigDefinition['type'],
  value: string,
  synonym: string,
  synonymValue: string,
  effect: TopicConfigDefinition['effect'],
  doc: string,
  extra: Pick<TopicConfigDefinition, 'min' | 'oneOf'> = {},
): TopicConfigDefinition => ({
  type,
  default: value,
  brokerSynonym: {name: synonym, value: synonymValue},
  effect,
  doc,
  ...extra,
})

export const TOPIC_CONFIGS: Record<string, TopicConfigDefinition> = {
  'cleanup.policy': def(
    'list',
    'delete',
    'log.cleanup.policy',
    'delete',
    'inert',
    'Retention policy for old log segments; this broker only deletes (no compaction).',
    {oneOf: ['delete', 'compact']},
  ),
  'compression.type': def(
    'string',
    'producer',
    'compression.type',
    'producer',
    'inert',
    'Batches are stored as the producer compressed them.',
    {oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd']},
  ),
  'delete.retention.ms': def(
    'long',
    '86400000',
    'log.cleaner.delete.retention.ms',
    '86400000',
    'inert',
    'How long tombstones are kept for compacted topics.',
    {min: 0},
  ),
  'file.delete.delay.ms': def(
    'long',
    '60000',
    'log.segment.delete.delay.ms',
    '60000',
    'inert',
    'Delay before deleting a file; this broker deletes segments at once.',
    {min: 0},
  ),
  'flush.messages': def(
    'long',
    LONG_MAX,
    'log.flush.interval.messages',
    LONG_MAX,
    'inert',
    'Messages between forced fsyncs; this broker follows its --fsync policy.',
    {min: 1},
  ),
  'flush.ms': def(
    'long',
    LONG_MAX,
    'log.flush.interval.ms',
    LONG_MAX,
    'inert',
    'Time between forced fsyncs; this broker follows its --fsync policy.',
    {min: 0},
  ),
  'index.interval.bytes': def(
    'int',
    '4096',
    'log.index.interval.bytes',
    '4096',
    'acted',
    'Bytes of log between offset index entries.',
    {min: 0},
  ),
  'max.compaction.lag.ms': def(
    'long',
    LONG_MAX,
    'log.cleaner.max.compaction.lag.ms',
    LONG_MAX,
    'inert',
    'Longest a message stays uncompacted (no compaction here).',
    {min: 1},
  ),
  'max.message.bytes': def(
    'int',
    '1048588',
    'message.max.bytes',
    '1048588',
    'acted',
    'Largest record batch size allowed.',
    {min: 0},
  ),
  'message.downconversion.enable': def(
    'boolean',
    'true',
    'log.message.downconversion.enable',
    'true',
    'inert',
    'Down-conversion for old consumers; this broker serves RecordBatch v2 only.',
  ),
  'message.format.version': def(
    'string',
    '3.0-IV1',
    'log.message.format.version',
    '3.0-IV1',
    'readOnly',
    'The log holds RecordBatch v2 (message format v2) only.',
  ),
  'message.timestamp.difference.max.ms': def(
    'long',
    LONG_MAX,
    'log.message.timestamp.difference.max.ms',
    LONG_MAX,
    'inert',
    'Largest allowed gap between a CreateTime timestamp and the broker clock.',
    {min: 0},
  ),
  'message.timestamp.type': def(
    'string',
    'CreateTime',
    'log.message.timestamp.type',
    'CreateTime',
    'inert',
    "Whether record timestamps are the producer's or the append time.",
    {oneOf: ['CreateTime', 'LogAppendTime']},
  ),
  'min.cleanable.dirty.ratio': def(
    'double',
    '0.5',
    'log.cleaner.min.cleanable.ratio',
    '0.5',
    'inert',
    'Dirty ratio before compaction (no compaction here).',
    {min: 0},
  ),
  'min.compaction.lag.ms': def(
    'long',
    '0',
    'log.cleaner.min.compaction.lag.ms',
    '0',
    'inert',
    'Shortest a message stays uncompacted (no compaction here).',
    {min: 0},
  ),
  'min.insync.replicas': def(
    'int',
    '1',
    'min.insync.replicas',
    '1',
    'inert',
    'Replicas that must acknowledge acks=all; one node means one replica.',
    {min: 1},
  ),
  preallocate: def('boolean', 'false', 'log.preallocate', 'false', 'inert', 'Whether segment files are preallocated.'),
  'retention.bytes': def(
    'long',
    '-1',
    'log.retention.bytes',
    '-1',
    'acted',
    'Largest a partition grows before old segments are deleted (-1: no limit).',
    {min: -1},
  ),
  'retention.ms': def(
    'long',
    WEEK_MS,
    'log.retention.hours',
    '168',
    'acted',
    'How long segments are kept before deletion (-1: forever).',
    {min: -1},
  ),
  'segment.bytes': def(
    'int',
    '1073741824',
    'log.segment.bytes',
    '1073741824',
    'acted',
    'Segment file size at which the log rolls.',
    {min: 1024},
  ),
  'segment.index.bytes': def(
    'int',
    '10485760',
    'log.index.size.max.bytes',
    '10485760',
    'inert',
    'Size of the offset index; indexes here are sparse and unbounded.',
    {min: 4},
  ),
  'segment.jitter.ms': def(
    'long',
    '0',
    'log.roll.jitter.hours',
    '0',
    'inert',
    'Random jitter subtracted from segment.ms.',
    {min: 0},
  ),
  'segment.ms': def('long', WEEK_MS, 'log.roll.hours', '168', 'acted', 'Age at which the active segment rolls.', {
    min: 1,
  }),
  'unclean.leader.election.enable': def(
    'boolean',
    'false',
    'unclean.leader.election.enable',
    'false',
    'inert',
    'Leader election from out-of-sync replicas; one node has no followers.',
  ),
}

/** Every topic config with its default value. */
export const TOPIC_CONFIG_DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(TOPIC_CONFIGS).map(([name, definition]) => [name, definition.default]),
)

const invalid = (key: string, value: string, why: string) =>
  new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${value} for configuration ${key}: ${why}`)

/** Checks one value against its config's type; throws INVALID_CONFIG naming the key. */
export function validateTopicConfig(key: string, value: string): void {
  const definition = TOPIC_CONFIGS[key]
  if (!definition) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${key}`)
  if (definition.effect === 'readOnly' && value !== definition.default)
    throw new KafkaProtocolError(
      'INVALID_CONFIG',
      `Topic config ${key} is read-only on this broker (${definition.doc})`,
    )
  switch (definition.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value)) throw invalid(key, value, 'not a whole number')
      if (BigInt(value) > BigInt(definition.type === 'int' ? 2 ** 31 - 1 : LONG_MAX))
        throw invalid(key, value, 'too large')
      break
    }
    case 'double':
      if (!/^-?\d+(\.\d+)?$/.test(value)) throw invalid(key, value, 'not a number')
      break
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw invalid(key, value, 'must be true or false')
      break
  }
  if (definition.min !== undefined && definition.type !== 'string' && Number(value) < definition.min)
    throw invalid(key, value, `must be at least ${definition.min}`)
  const items = definition.type === 'list' ? splitList(value) : [value]
  if (definition.oneOf && items.some((item) => !definition.oneOf!.includes(item)))
    throw invalid(
      key,
      value,
      `must be ${definition.type === 'list' ? 'a list of' : 'one of'} ${definition.oneOf.join(', ')}`,
    )
}

/** Checks client-supplied configs; throws INVALID_CONFIG naming the first bad key. */
export function validateTopicConfigs(configs: Record<string, string>): void {
  for (const [key, value] of Object.entries(configs)) validateTopicConfig(key, value)
}

/** A list config's items, as Kafka splits them (commas, surrounding spaces ignored). */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
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
