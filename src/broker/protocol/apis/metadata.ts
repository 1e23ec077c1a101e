// Metadata (key 3), versions 0-12, transcribed from Kafka's MetadataRequest/Response.json (flexible
// from v9). Topics carry their id from v10, and from v12 a request may name a topic by id alone
// (a null name). In a request, a null topic list means every topic (v1+); in v0 an empty one does.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

/** Kafka's "authorized operations were not asked for". */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export interface MetadataRequest {
  /** Null: every topic. */
  topics: Array<{topicId: string; name: string | null}> | null
  allowAutoTopicCreation: boolean
  includeClusterAuthorizedOperations: boolean
  includeTopicAuthorizedOperations: boolean
}

export const MetadataRequestSchema = new MessageSchema<MetadataRequest>(
  'MetadataRequest',
  [
    array('topics', [field('topicId', 'uuid', '10+'), field('name', 'string', '0+', {nullable: '10+'})], '0+', {
      nullable: '1+',
    }),
    field('allowAutoTopicCreation', 'bool', '4+', {default: true}),
    field('includeClusterAuthorizedOperations', 'bool', '8-10'),
    field('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  flexibleVersions('Metadata'),
)

export interface BrokerNode {
  nodeId: number
  host: string
  port: number
}

export interface MetadataPartition {
  errorCode: number
  partitionIndex: number
  leaderId: number
  leaderEpoch: number
  replicaNodes: number[]
  isrNodes: number[]
  offlineReplicas?: number[]
}

export interface MetadataTopic {
  errorCode: number
  /** Null only for a v12 request by an id this broker does not know. */
  name: string | null
  topicId: string
  isInternal?: boolean
  partitions: MetadataPartition[]
  topicAuthorizedOperations?: number
}

export interface MetadataResponse {
  throttleTimeMs?: number
  brokers: BrokerNode[]
  clusterId: string | null
  controllerId: number
  topics: MetadataTopic[]
  clusterAuthorizedOperations?: number
}

export const MetadataResponseSchema = new MessageSchema<MetadataResponse>(
  'MetadataResponse',
  [
    field('throttleTimeMs', 'int32', '3+'),
    array(
      'brokers',
      [
        field('nodeId', 'int32', '0+'),
        field('host', 'string', '0+'),
        field('port', 'int32', '0+'),
        field('rack', 'string', '1+', {nullable: '1+', default: null}),
      ],
      '0+',
    ),
    field('clusterId', 'string', '2+', {nullable: '2+', default: null}),
    field('controllerId', 'int32', '1+', {default: -1}),
    array(
      'topics',
      [
        field('errorCode', 'int16', '0+'),
        field('name', 'string', '0+', {nullable: '12+'}),
        field('topicId', 'uuid', '10+'),
        field('isInternal', 'bool', '1+'),
        array(
          'partitions',
          [
            field('errorCode', 'int16', '0+'),
            field('partitionIndex', 'int32', '0+'),
            field('leaderId', 'int32', '0+'),
            field('leaderEpoch', 'int32', '7+', {default: -1}),
            array('replicaNodes', 'int32', '0+'),
            array('isrNodes', 'int32', '0+'),
            array('offlineReplicas', 'int32', '5+'),
          ],
          '0+',
        ),
        field('topicAuthorizedOperations', 'int32', '8+', {default: AUTHORIZED_OPERATIONS_OMITTED}),
      ],
      '0+',
    ),
    field('clusterAuthorizedOperations', 'int32', '8-10', {default: AUTHORIZED_OPERATIONS_OMITTED}),
  ],
  flexibleVersions('Metadata'),
)
