// What every request handler may use: this broker's identity, its topics, its group coordinator
// and its flush policy.
import type {GroupCoordinator} from './group/coordinator.js'
import type {FlushScheduler} from './log/flush-policy.js'
import type {TopicStore} from './log/topic-store.js'
import type {BrokerNode} from './protocol/apis/metadata.js'
import type {BrokerLogger} from './logger.js'

export interface BrokerContext {
  node: BrokerNode
  clusterId: string
  topics: TopicStore
  coordinator: GroupCoordinator
  flush: FlushScheduler
  autoCreateTopics: boolean
  defaultPartitions: number
  logger: BrokerLogger
  nextProducerId(): number
  /** Resolves when the broker starts shutting down (long polls end early). */
  closing: Promise<void>
}

export interface RequestInfo {
  version: number
  correlationId: number
  clientId: string
  clientHost: string
}
