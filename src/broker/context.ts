// What every request handler may use: this broker's identity, its topics, its group and transaction
// coordinators and its flush policy, and the request it is answering.
import type {GroupCoordinator} from './group/coordinator.js'
import type {FlushScheduler} from './log/flush-policy.js'
import type {TopicStore} from './log/topic-store.js'
import type {TransactionCoordinator} from './txn/coordinator.js'
import type {BrokerNode} from './protocol/apis/metadata.js'
import type {Decoder} from './protocol/decoder.js'
import type {BrokerLogger} from './logger.js'

export interface BrokerContext {
  node: BrokerNode
  clusterId: string
  topics: TopicStore
  coordinator: GroupCoordinator
  transactions: TransactionCoordinator
  flush: FlushScheduler
  autoCreateTopics: boolean
  defaultPartitions: number
  logger: BrokerLogger
  nextProducerId(): number
  /** Resolves when the broker starts shutting down (long polls end early). */
  closing: Promise<void>
}

/** The request header's fields, and which client sent the request. */
export interface RequestInfo {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string
  /** `/address` of the client's socket, as Kafka reports a group member's host. */
  clientHost: string
}

/** What every handler is called with: the request body to decode, its header, and the broker. */
export interface RequestContext {
  /** Positioned just after the request header. */
  decoder: Decoder
  info: RequestInfo
  broker: BrokerContext
}
