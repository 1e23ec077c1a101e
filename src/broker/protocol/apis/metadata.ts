// Metadata Request (Version: 0) => [topics]            (an empty array means all topics)
// Metadata Request (Version: 1-3) => [topics]          (null means all topics)
// Metadata Request (Version: 4-6) => [topics] allow_auto_topic_creation BOOLEAN
//   topics => name STRING
//
// Metadata Response (Version: 0-6) => throttle_time_ms(v3+) [brokers] cluster_id(v2+) controller_id(v1+) [topics]
//   brokers => node_id INT32 host STRING port INT32 rack NULLABLE_STRING(v1+)
//   topics => error_code INT16 name STRING is_internal BOOLEAN(v1+) [partitions]
//     partitions => error_code INT16 partition_index INT32 leader_id INT32 [replica_nodes] [isr_nodes] [offline_replicas](v5+)
import type {Decoder} from '../decoder.js'
import type {Encoder} from '../encoder.js'

export interface MetadataRequest {
  /** Null: every topic. */
  topics: string[] | null
  allowAutoTopicCreation: boolean
}

export function decodeMetadataRequest(decoder: Decoder, version: number): MetadataRequest {
  const topics = decoder.readNullableArray((input) => input.readString())
  const allowAutoTopicCreation = version >= 4 ? decoder.readBoolean() : true
  return {topics: version === 0 && topics?.length === 0 ? null : topics, allowAutoTopicCreation}
}

export interface BrokerNode {
  nodeId: number
  host: string
  port: number
}

export interface MetadataPartition {
  errorCode: number
  partitionIndex: number
  leaderId: number
  replicas: number[]
}

export interface MetadataTopic {
  errorCode: number
  name: string
  partitions: MetadataPartition[]
}

export interface MetadataResponse {
  brokers: BrokerNode[]
  clusterId: string
  controllerId: number
  topics: MetadataTopic[]
}

export function encodeMetadataResponse(encoder: Encoder, version: number, response: MetadataResponse): void {
  if (version >= 3) encoder.writeInt32(0)
  encoder.writeArray(response.brokers, (out, broker) => {
    out.writeInt32(broker.nodeId).writeString(broker.host).writeInt32(broker.port)
    if (version >= 1) out.writeNullableString(null)
  })
  if (version >= 2) encoder.writeNullableString(response.clusterId)
  if (version >= 1) encoder.writeInt32(response.controllerId)
  encoder.writeArray(response.topics, (out, topic) => {
    out.writeInt16(topic.errorCode).writeString(topic.name)
    if (version >= 1) out.writeBoolean(false)
    out.writeArray(topic.partitions, (inner, partition) => {
      inner.writeInt16(partition.errorCode).writeInt32(partition.partitionIndex).writeInt32(partition.leaderId)
      inner.writeArray(partition.replicas, (nodes, node) => nodes.writeInt32(node))
      inner.writeArray(partition.replicas, (nodes, node) => nodes.writeInt32(node))
      if (version >= 5) inner.writeArray([], () => undefined)
    })
  })
}
