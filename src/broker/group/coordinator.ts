// The group coordinator of this single-node broker: every consumer group, their committed
// offsets, session-timeout eviction, and persistence through the GroupStore.
import {errorCode} from '../protocol/errors.js'
import type {JoinGroupRequest, JoinGroupResponse} from '../protocol/apis/join-group.js'
import type {SyncGroupRequest} from '../protocol/apis/sync-group.js'
import type {OffsetCommitRequest, PartitionErrors} from '../protocol/apis/offset-commit.js'
import type {FetchedOffsets, OffsetFetchRequest} from '../protocol/apis/offset-fetch.js'
import type {OffsetDeleteRequest, OffsetDeleteResponse} from '../protocol/apis/offset-delete.js'
import type {DescribedGroup} from '../protocol/apis/describe-groups.js'
import type {ListedGroup} from '../protocol/apis/list-groups.js'
import {ConsumerGroup} from './consumer-group.js'
import {GroupStore, offsetKey, splitOffsetKey, type CommittedOffset} from './group-store.js'

export interface CoordinatorOptions {
  initialRebalanceDelayMs: number
  /** Whether a topic-partition exists (commits to unknown partitions are refused). */
  partitionExists(topic: string, partition: number): boolean
  onEvicted?(groupId: string, memberIds: string[]): void
}

export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>()
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>()
  private readonly expiryTimer: NodeJS.Timeout

  constructor(
    private readonly store: GroupStore,
    private readonly options: CoordinatorOptions,
  ) {
    const stored = store.load()
    for (const snapshot of stored.groups.values()) this.group(snapshot.groupId).restore(snapshot)
    for (const [group, offsets] of stored.offsets) this.offsets.set(group, offsets)
    this.expiryTimer = setInterval(() => this.expireSessions(), 500)
    this.expiryTimer.unref()
  }

  private group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId)
    if (!group) {
      group = new ConsumerGroup(groupId, {
        initialRebalanceDelayMs: this.options.initialRebalanceDelayMs,
        onChange: (snapshot) => this.store.append([{type: 'group', ...snapshot}]),
      })
      this.groups.set(groupId, group)
    }
    return group
  }

  join(
    request: JoinGroupRequest,
    version: number,
    client: {clientId: string; clientHost: string},
  ): Promise<JoinGroupResponse> {
    if (request.groupId === '')
      return Promise.resolve({
        errorCode: errorCode('INVALID_GROUP_ID'),
        generationId: -1,
        protocolName: '',
        leader: '',
        memberId: request.memberId,
        members: [],
      })
    return this.group(request.groupId).join(request, version, client)
  }

  sync(request: SyncGroupRequest): Promise<{errorCode: number; assignment: Buffer}> {
    const group = this.groups.get(request.groupId)
    if (!group) return Promise.resolve({errorCode: errorCode('UNKNOWN_MEMBER_ID'), assignment: Buffer.alloc(0)})
    return group.sync(request)
  }

  heartbeat(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null = null): number {
    return (
      this.groups.get(groupId)?.heartbeat(memberId, generationId, groupInstanceId) ?? errorCode('UNKNOWN_MEMBER_ID')
    )
  }

  leave(
    groupId: string,
    members: Array<{memberId: string; groupInstanceId: string | null}>,
  ): Array<{memberId: string; errorCode: number}> {
    const group = this.groups.get(groupId)
    if (!group) return members.map(({memberId}) => ({memberId, errorCode: errorCode('UNKNOWN_MEMBER_ID')}))
    return group.leave(
      members.map((member) => member.memberId),
      members.map((member) => member.groupInstanceId),
    )
  }

  commit(request: OffsetCommitRequest): PartitionErrors {
    const group =
      this.groups.get(request.groupId) ?? (request.generationId < 0 ? this.group(request.groupId) : undefined)
    const groupError =
      request.groupId === ''
        ? errorCode('INVALID_GROUP_ID')
        : group
          ? group.commitError(request.memberId, request.generationId, request.groupInstanceId ?? null)
          : errorCode('UNKNOWN_MEMBER_ID')
    const journal: Parameters<GroupStore['append']>[0] = []
    const now = Date.now()
    const result = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        if (groupError !== 0) return {partition: partition.partition, errorCode: groupError}
        if (!this.options.partitionExists(topic.name, partition.partition))
          return {partition: partition.partition, errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION')}
        journal.push(this.setOffset(request.groupId, topic.name, partition.partition, partition, now))
        return {partition: partition.partition, errorCode: 0}
      }),
    }))
    this.store.append(journal)
    return result
  }

  /** A committed transaction's offsets (TxnOffsetCommit), applied to their groups when it commits. */
  commitTransactionalOffsets(
    offsets: Array<{group: string; topic: string; partition: number; offset: number; metadata: string | null}>,
  ): void {
    const now = Date.now()
    this.store.append(offsets.map((entry) => this.setOffset(entry.group, entry.topic, entry.partition, entry, now)))
  }

  private setOffset(
    group: string,
    topic: string,
    partition: number,
    committed: {offset: number; metadata: string | null},
    now: number,
  ): Parameters<GroupStore['append']>[0][number] {
    let offsets = this.offsets.get(group)
    if (!offsets) this.offsets.set(group, (offsets = new Map()))
    offsets.set(offsetKey(topic, partition), {
      offset: committed.offset,
      metadata: committed.metadata,
      commitTimestamp: now,
    })
    return {type: 'offset', group, topic, partition, offset: committed.offset, metadata: committed.metadata, ts: now}
  }

  fetchOffsets(request: Pick<OffsetFetchRequest, 'groupId' | 'topics'>): FetchedOffsets {
    const offsets = this.offsets.get(request.groupId) ?? new Map<string, CommittedOffset>()
    const wanted =
      request.topics ??
      Object.entries(
        [...offsets.keys()].reduce<Record<string, number[]>>((byTopic, key) => {
          const [topic, partition] = splitOffsetKey(key)
          ;(byTopic[topic] ??= []).push(partition)
          return byTopic
        }, {}),
      ).map(([name, partitions]) => ({name, partitions}))
    return {
      errorCode: 0,
      topics: wanted.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => {
          const committed = offsets.get(offsetKey(topic.name, partition))
          return {partition, offset: committed?.offset ?? -1, metadata: committed?.metadata ?? '', errorCode: 0}
        }),
      })),
    }
  }

  describe(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const group = this.groups.get(groupId)
      if (group) return group.describe()
      return {errorCode: 0, groupId, state: 'Dead', protocolType: '', protocol: '', members: []}
    })
  }

  /** The group's protocol type and selected protocol, as SyncGroup v5+ answers them. */
  protocolOf(groupId: string): {protocolType: string | null; protocolName: string | null} {
    const group = this.groups.get(groupId)
    return {protocolType: group?.protocolType || null, protocolName: group?.protocol || null}
  }

  /** Every group (one known only by its committed offsets is Empty), or those in `states` when given. */
  list(states: string[] = []): ListedGroup[] {
    const wanted = new Set(states.map((state) => state.toLowerCase()))
    const ids = new Set([...this.groups.keys(), ...this.offsets.keys()])
    return [...ids]
      .sort()
      .map((groupId) => {
        const group = this.groups.get(groupId)
        return {groupId, protocolType: group?.protocolType || 'consumer', groupState: group?.state ?? 'Empty'}
      })
      .filter((listed) => wanted.size === 0 || wanted.has(listed.groupState.toLowerCase()))
  }

  /**
   * OffsetDelete, as Kafka's coordinator answers it: an Empty group loses the offsets asked for; a
   * rebalancing or Stable "consumer" group keeps those of topics a live member subscribes to
   * (GROUP_SUBSCRIBED_TO_TOPIC per partition) and loses the others; any other group with members is
   * NON_EMPTY_GROUP, and an unknown one GROUP_ID_NOT_FOUND. Partitions of unknown topics are
   * UNKNOWN_TOPIC_OR_PARTITION. The deletions are journaled, so they survive a restart.
   */
  deleteOffsets(request: OffsetDeleteRequest): OffsetDeleteResponse {
    const refuse = (type: Parameters<typeof errorCode>[0]) => ({errorCode: errorCode(type), topics: []})
    if (request.groupId === '') return refuse('INVALID_GROUP_ID')
    const group = this.groups.get(request.groupId)
    const offsets = this.offsets.get(request.groupId)
    if ((!group || group.state === 'Dead') && !offsets) return refuse('GROUP_ID_NOT_FOUND')
    const state = group?.state ?? 'Empty'
    if (state !== 'Empty' && group?.protocolType !== 'consumer') return refuse('NON_EMPTY_GROUP')
    const journal: Parameters<GroupStore['append']>[0] = []
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({partition}) => {
        if (!this.options.partitionExists(topic.name, partition))
          return {partition, errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION')}
        if (state !== 'Empty' && group!.isSubscribedTo(topic.name))
          return {partition, errorCode: errorCode('GROUP_SUBSCRIBED_TO_TOPIC')}
        if (offsets?.delete(offsetKey(topic.name, partition)))
          journal.push({type: 'forget-offset', group: request.groupId, topic: topic.name, partition})
        return {partition, errorCode: 0}
      }),
    }))
    this.store.append(journal)
    return {errorCode: 0, topics}
  }

  /**
   * DeleteGroups, as Kafka answers it: a group without members goes with its committed offsets;
   * one with members is NON_EMPTY_GROUP, and one the coordinator does not know GROUP_ID_NOT_FOUND.
   */
  deleteGroups(groupIds: string[]): Array<{groupId: string; errorCode: number}> {
    const journal: Parameters<GroupStore['append']>[0] = []
    const results = groupIds.map((groupId) => {
      if (groupId === '') return {groupId, errorCode: errorCode('INVALID_GROUP_ID')}
      const group = this.groups.get(groupId)
      if (!group && !this.offsets.has(groupId)) return {groupId, errorCode: errorCode('GROUP_ID_NOT_FOUND')}
      if (group && (group.memberCount > 0 || group.state !== 'Empty'))
        return {groupId, errorCode: errorCode('NON_EMPTY_GROUP')}
      group?.close()
      this.groups.delete(groupId)
      this.offsets.delete(groupId)
      journal.push({type: 'forget-group', group: groupId})
      return {groupId, errorCode: 0}
    })
    this.store.append(journal)
    return results
  }

  /** A deleted topic's committed offsets go with it. */
  forgetTopic(topic: string): void {
    for (const offsets of this.offsets.values())
      for (const key of [...offsets.keys()]) if (splitOffsetKey(key)[0] === topic) offsets.delete(key)
    this.store.append([{type: 'forget-topic', topic}])
  }

  private expireSessions(): void {
    const now = Date.now()
    for (const group of this.groups.values()) {
      const expired = group.expire(now)
      if (expired.length > 0) this.options.onEvicted?.(group.groupId, expired)
    }
  }

  close(): void {
    clearInterval(this.expiryTimer)
    for (const group of this.groups.values()) group.close()
    this.store.close()
  }
}
