// Fetch (key 1), versions 4-17, transcribed from Kafka's FetchRequest/Response.json (flexible from
// v12). From v13 topics are named by id (the topic store's UUID) instead of by name. A partition's
// records are the stored batches as a list of buffers, written into the response by reference and
// never concatenated.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export interface FetchPartitionRequest {
  partition: number
  currentLeaderEpoch: number
  fetchOffset: number
  lastFetchedEpoch: number
  logStartOffset: number
  partitionMaxBytes: number
}

export interface FetchRequest {
  clusterId: string | null
  replicaId: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number
  sessionId: number
  sessionEpoch: number
  /** `topic` up to v12, `topicId` from v13. */
  topics: Array<{topic: string; topicId: string; partitions: FetchPartitionRequest[]}>
  forgottenTopicsData: Array<{topic: string; topicId: string; partitions: number[]}>
  rackId: string
}

export const FetchRequestSchema = new MessageSchema<FetchRequest>(
  'FetchRequest',
  [
    field('clusterId', 'string', '12+', {nullable: '12+', default: null, tag: 0}),
    field('replicaId', 'int32', '0-14', {default: -1}),
    field(
      'replicaState',
      [field('replicaId', 'int32', '15+', {default: -1}), field('replicaEpoch', 'int64', '15+', {default: -1})],
      '15+',
      {tag: 1},
    ),
    field('maxWaitMs', 'int32', '0+'),
    field('minBytes', 'int32', '0+'),
    field('maxBytes', 'int32', '3+', {default: 0x7fffffff}),
    field('isolationLevel', 'int8', '4+'),
    field('sessionId', 'int32', '7+'),
    field('sessionEpoch', 'int32', '7+', {default: -1}),
    array(
      'topics',
      [
        field('topic', 'string', '0-12'),
        field('topicId', 'uuid', '13+'),
        array(
          'partitions',
          [
            field('partition', 'int32', '0+'),
            field('currentLeaderEpoch', 'int32', '9+', {default: -1}),
            field('fetchOffset', 'int64', '0+'),
            field('lastFetchedEpoch', 'int32', '12+', {default: -1}),
            field('logStartOffset', 'int64', '5+', {default: -1}),
            field('partitionMaxBytes', 'int32', '0+'),
            field('replicaDirectoryId', 'uuid', '17+', {tag: 0}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
    array(
      'forgottenTopicsData',
      [field('topic', 'string', '7-12'), field('topicId', 'uuid', '13+'), array('partitions', 'int32', '7+')],
      '7+',
    ),
    field('rackId', 'string', '11+'),
  ],
  flexibleVersions('Fetch'),
)

/** A transaction aborted inside the fetched range: its producer and first offset. */
export interface AbortedTransaction {
  producerId: number
  firstOffset: number
}

export interface FetchPartitionResponse {
  partition: number
  errorCode: number
  highWatermark: number
  /** The offset below which every transaction is decided (the high watermark when there are none open). */
  lastStableOffset: number
  logStartOffset: number
  /** Null when the fetch is read_uncommitted or no aborted transaction overlaps the batches. */
  abortedTransactions: AbortedTransaction[] | null
  /** Whole record batches, in log order. */
  records: Buffer[]
}

export interface FetchResponse {
  throttleTimeMs?: number
  errorCode?: number
  sessionId?: number
  topics: Array<{topic: string; topicId: string; partitions: FetchPartitionResponse[]}>
}

const epochEndOffset = [
  field('epoch', 'int32', '12+', {default: -1}),
  field('endOffset', 'int64', '12+', {default: -1}),
]

export const FetchResponseSchema = new MessageSchema<FetchResponse>(
  'FetchResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '7+'),
    field('sessionId', 'int32', '7+'),
    array(
      'topics',
      [
        field('topic', 'string', '0-12'),
        field('topicId', 'uuid', '13+'),
        array(
          'partitions',
          [
            field('partition', 'int32', '0+'),
            field('errorCode', 'int16', '0+'),
            field('highWatermark', 'int64', '0+'),
            field('lastStableOffset', 'int64', '4+', {default: -1}),
            field('logStartOffset', 'int64', '5+', {default: -1}),
            field('divergingEpoch', epochEndOffset, '12+', {tag: 0}),
            field(
              'currentLeader',
              [field('leaderId', 'int32', '12+', {default: -1}), field('leaderEpoch', 'int32', '12+', {default: -1})],
              '12+',
              {tag: 1},
            ),
            field(
              'snapshotId',
              [field('endOffset', 'int64', '12+', {default: -1}), field('epoch', 'int32', '12+', {default: -1})],
              '12+',
              {tag: 2},
            ),
            array(
              'abortedTransactions',
              [field('producerId', 'int64', '4+'), field('firstOffset', 'int64', '4+')],
              '4+',
              {nullable: '4+', default: null},
            ),
            field('preferredReadReplica', 'int32', '11+', {default: -1}),
            field('records', 'records', '0+', {nullable: '0+'}),
          ],
          '0+',
        ),
      ],
      '0+',
    ),
    array(
      'nodeEndpoints',
      [
        field('nodeId', 'int32', '16+'),
        field('host', 'string', '16+'),
        field('port', 'int32', '16+'),
        field('rack', 'string', '16+', {nullable: '16+', default: null}),
      ],
      '16+',
      {tag: 0},
    ),
  ],
  flexibleVersions('Fetch'),
)
