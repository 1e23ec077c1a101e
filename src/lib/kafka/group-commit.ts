// Commits offsets for a group from outside it: one OffsetCommit with generation -1 and an empty
// member id, the way Kafka's AdminClient.alterConsumerGroupOffsets (behind
// `kafka-consumer-groups --reset-offsets`) does. The broker accepts that only while the group is
// empty and answers UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION otherwise, so a consumer that joined
// after our check still cannot have its offsets moved under it. kafkajs's admin.setOffsets instead
// joins the group as a consumer; its cluster (reached below) speaks the plain request.
import type {Kafka} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {kafkaFailure, protocolErrorType} from './client.js'
import type {SeekMove} from './seek-plan.js'

interface CoordinatorBroker {
  offsetCommit(request: {
    groupId: string
    groupGenerationId: number
    memberId: string
    topics: Array<{topic: string; partitions: Array<{partition: number; offset: string}>}>
  }): Promise<unknown>
}

interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  findGroupCoordinator(request: {groupId: string}): Promise<CoordinatorBroker>
}

/** kafkajs 2.2.4 keeps its cluster factory behind a private symbol of the Kafka client. */
function createCluster(kafka: Kafka): KafkajsCluster {
  const key = Object.getOwnPropertySymbols(kafka).find((symbol) => symbol.description === 'private:Kafka:createCluster')
  const factory = key === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[key]
  if (typeof factory !== 'function')
    throw new StreamctlError(
      'INTERNAL',
      'this kafkajs version does not expose its cluster; streamctl pins kafkajs 2.2.4',
    )
  return (factory as (options: object) => KafkajsCluster)({allowAutoTopicCreation: false})
}

export async function commitGroupOffsets(kafka: Kafka, group: string, moves: SeekMove[]): Promise<void> {
  if (moves.length === 0) return
  const byTopic = new Map<string, Array<{partition: number; offset: string}>>()
  for (const move of moves) {
    if (move.target < 0)
      throw new StreamctlError(
        'INTERNAL',
        `refusing to commit sentinel offset ${move.target} for ${move.topic}/${move.partition}`,
      )
    byTopic.set(move.topic, [
      ...(byTopic.get(move.topic) ?? []),
      {partition: move.partition, offset: String(move.target)},
    ])
  }
  const cluster = createCluster(kafka)
  try {
    await cluster.connect()
    const coordinator = await cluster.findGroupCoordinator({groupId: group})
    await coordinator.offsetCommit({
      groupId: group,
      groupGenerationId: -1,
      memberId: '',
      topics: [...byTopic].map(([topic, partitions]) => ({topic, partitions})),
    })
  } catch (error) {
    const type = protocolErrorType(error)
    if (type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'REBALANCE_IN_PROGRESS') {
      throw new StreamctlError(
        'GROUP_ACTIVE',
        `consumer group "${group}" gained members while seeking (${type}); nothing was committed`,
        {
          hint: 'Stop every consumer of the group and run the seek again.',
          cause: error,
        },
      )
    }
    throw kafkaFailure(error, `committing offsets for group "${group}"`)
  } finally {
    await cluster.disconnect().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
  }
}
