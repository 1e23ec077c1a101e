// Kafka protocol error codes, kept as data as kafkajs does: clients branch on `code`, and
// `retriable` tells them whether to try again.

export interface KafkaErrorSpec {
  code: number
  type: string
  retriable: boolean
  message: string
}

const spec = (code: number, type: string, retriable: boolean, message: string): KafkaErrorSpec => ({
  code,
  type,
  retriable,
  message,
})

export const KafkaErrors = {
  UNKNOWN_SERVER_ERROR: spec(
    -1,
    'UNKNOWN_SERVER_ERROR',
    false,
    'The server experienced an unexpected error when processing the request',
  ),
  NONE: spec(0, 'NONE', false, 'No error'),
  OFFSET_OUT_OF_RANGE: spec(
    1,
    'OFFSET_OUT_OF_RANGE',
    false,
    'The requested offset is not within the range of offsets maintained by the server',
  ),
  CORRUPT_MESSAGE: spec(
    2,
    'CORRUPT_MESSAGE',
    true,
    'This message has failed its CRC checksum, exceeds the valid size, or is otherwise corrupt',
  ),
  UNKNOWN_TOPIC_OR_PARTITION: spec(
    3,
    'UNKNOWN_TOPIC_OR_PARTITION',
    true,
    'This server does not host this topic-partition',
  ),
  REQUEST_TIMED_OUT: spec(7, 'REQUEST_TIMED_OUT', true, 'The request timed out'),
  MESSAGE_TOO_LARGE: spec(
    10,
    'MESSAGE_TOO_LARGE',
    false,
    'The request included a message larger than the max message size the server will accept',
  ),
  COORDINATOR_NOT_AVAILABLE: spec(15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available'),
  INVALID_TOPIC_EXCEPTION: spec(
    17,
    'INVALID_TOPIC_EXCEPTION',
    false,
    'The request attempted to perform an operation on an invalid topic',
  ),
  INVALID_REQUIRED_ACKS: spec(
    21,
    'INVALID_REQUIRED_ACKS',
    false,
    'Produce request specified an invalid value for required acks',
  ),
  ILLEGAL_GENERATION: spec(22, 'ILLEGAL_GENERATION', false, 'Specified group generation id is not valid'),
  INCONSISTENT_GROUP_PROTOCOL: spec(
    23,
    'INCONSISTENT_GROUP_PROTOCOL',
    false,
    "The group member's supported protocols are incompatible with those of existing members",
  ),
  INVALID_GROUP_ID: spec(24, 'INVALID_GROUP_ID', false, 'The configured groupId is invalid'),
  UNKNOWN_MEMBER_ID: spec(25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator is not aware of this member'),
  INVALID_SESSION_TIMEOUT: spec(
    26,
    'INVALID_SESSION_TIMEOUT',
    false,
    'The session timeout is not within the range allowed by the broker',
  ),
  REBALANCE_IN_PROGRESS: spec(27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing, so a rejoin is needed'),
  UNSUPPORTED_VERSION: spec(35, 'UNSUPPORTED_VERSION', false, 'The version of API is not supported'),
  TOPIC_ALREADY_EXISTS: spec(36, 'TOPIC_ALREADY_EXISTS', false, 'Topic with this name already exists'),
  INVALID_PARTITIONS: spec(37, 'INVALID_PARTITIONS', false, 'Number of partitions is invalid'),
  INVALID_REPLICATION_FACTOR: spec(38, 'INVALID_REPLICATION_FACTOR', false, 'Replication-factor is invalid'),
  INVALID_REPLICA_ASSIGNMENT: spec(39, 'INVALID_REPLICA_ASSIGNMENT', false, 'Replica assignment is invalid'),
  INVALID_CONFIG: spec(40, 'INVALID_CONFIG', false, 'Configuration is invalid'),
  INVALID_REQUEST: spec(
    42,
    'INVALID_REQUEST',
    false,
    'This most likely occurs because of a request being malformed by the client library',
  ),
  OUT_OF_ORDER_SEQUENCE_NUMBER: spec(
    45,
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    false,
    'The broker received an out of order sequence number',
  ),
  INVALID_PRODUCER_EPOCH: spec(
    47,
    'INVALID_PRODUCER_EPOCH',
    false,
    'Producer attempted an operation with an old epoch',
  ),
  INVALID_TXN_STATE: spec(
    48,
    'INVALID_TXN_STATE',
    false,
    'The producer attempted a transactional operation in an invalid state',
  ),
  INVALID_PRODUCER_ID_MAPPING: spec(
    49,
    'INVALID_PRODUCER_ID_MAPPING',
    false,
    'The producer attempted to use a producer id which is not currently assigned to its transactional id',
  ),
  INVALID_TRANSACTION_TIMEOUT: spec(
    50,
    'INVALID_TRANSACTION_TIMEOUT',
    false,
    'The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms)',
  ),
  UNSTABLE_OFFSET_COMMIT: spec(
    88,
    'UNSTABLE_OFFSET_COMMIT',
    true,
    'There are unstable offsets that need to be cleared',
  ),
  CONCURRENT_TRANSACTIONS: spec(
    51,
    'CONCURRENT_TRANSACTIONS',
    true,
    'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
  ),
  OPERATION_NOT_ATTEMPTED: spec(
    55,
    'OPERATION_NOT_ATTEMPTED',
    false,
    'The broker did not attempt to execute this operation because another part of the request failed',
  ),
  PRODUCER_FENCED: spec(
    90,
    'PRODUCER_FENCED',
    false,
    'There is a newer producer with the same transactionalId which fences the current one',
  ),
  UNSUPPORTED_FOR_MESSAGE_FORMAT: spec(
    43,
    'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    false,
    'The message format version on the broker does not support the request',
  ),
  INVALID_TIMESTAMP: spec(32, 'INVALID_TIMESTAMP', false, 'The timestamp of the message is out of acceptable range'),
  UNKNOWN_TOPIC_ID: spec(100, 'UNKNOWN_TOPIC_ID', true, 'This server does not host this topic ID.'),
  NON_EMPTY_GROUP: spec(68, 'NON_EMPTY_GROUP', false, 'The group is not empty'),
  GROUP_ID_NOT_FOUND: spec(69, 'GROUP_ID_NOT_FOUND', false, 'The group id does not exist'),
  MEMBER_ID_REQUIRED: spec(
    79,
    'MEMBER_ID_REQUIRED',
    false,
    'The group member needs to have a valid member id before actually entering a consumer group',
  ),
  FENCED_INSTANCE_ID: spec(
    82,
    'FENCED_INSTANCE_ID',
    false,
    'The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id',
  ),
  GROUP_SUBSCRIBED_TO_TOPIC: spec(
    86,
    'GROUP_SUBSCRIBED_TO_TOPIC',
    false,
    'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it',
  ),
  INVALID_RECORD: spec(
    87,
    'INVALID_RECORD',
    false,
    'This record has failed the validation on broker and hence be rejected',
  ),
} as const satisfies Record<string, KafkaErrorSpec>

export type KafkaErrorType = keyof typeof KafkaErrors

/** An error a handler raises to answer a whole request (or partition) with a protocol error code. */
export class KafkaProtocolError extends Error {
  readonly code: number
  readonly type: KafkaErrorType

  constructor(type: KafkaErrorType, detail?: string) {
    super(detail ?? KafkaErrors[type].message)
    this.type = type
    this.code = KafkaErrors[type].code
  }
}

export function errorCode(type: KafkaErrorType): number {
  return KafkaErrors[type].code
}
