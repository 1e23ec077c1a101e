// Consumer groups through kafkajs: list them, and describe one — state, live members with their
// assignments, and per partition the committed offset, the log end and the lag between them.
import type {Admin} from 'kafkajs'
import {StreamctlError} from '../errors.js'
import {listTopicNames} from './topics.js'

export interface GroupSummary {
  group: string
  protocolType: string
  state: string
  members: number
}

export interface GroupMember {
  memberId: string
  clientId: string
  clientHost: string
  /** Partitions assigned to the member, by topic (empty when the assignment is not a consumer one). */
  assignment: Record<string, number[]>
}

export interface CommittedOffset {
  topic: string
  partition: number
  committed: number
  latest: number
  lag: number
}

export interface GroupDescription {
  group: string
  state: string
  protocol: string
  protocolType: string
  members: GroupMember[]
  offsets: CommittedOffset[]
  totalLag: number
}

export async function listGroups(admin: Admin): Promise<GroupSummary[]> {
  const {groups} = await admin.listGroups()
  if (groups.length === 0) return []
  const described = await admin.describeGroups(groups.map((group) => group.groupId))
  const byId = new Map(described.groups.map((group) => [group.groupId, group]))
  return groups
    .map((group) => ({
      group: group.groupId,
      protocolType: group.protocolType,
      state: byId.get(group.groupId)?.state ?? 'Unknown',
      members: byId.get(group.groupId)?.members.length ?? 0,
    }))
    .sort((a, b) => a.group.localeCompare(b.group))
}

/** GROUP_NOT_FOUND when the broker knows neither members nor committed offsets of the group. */
export async function describeGroup(admin: Admin, group: string): Promise<GroupDescription> {
  const {AssignerProtocol} = await import('kafkajs')
  const described = (await admin.describeGroups([group])).groups[0]
  const offsets = await committedOffsets(admin, group)
  const members = (described?.members ?? []).map((member): GroupMember => {
    let assignment: Record<string, number[]> = {}
    try {
      assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {}
    } catch {
      // not the consumer protocol's assignment format (e.g. a connect worker): nothing to show
    }
    return {memberId: member.memberId, clientId: member.clientId, clientHost: member.clientHost, assignment}
  })
  const state = described?.state ?? 'Dead'
  if (members.length === 0 && offsets.length === 0 && (state === 'Dead' || state === 'Empty')) {
    throw new StreamctlError('GROUP_NOT_FOUND', `consumer group "${group}" has no members and no committed offsets`, {
      hint: '`streamctl groups list` shows the groups the broker knows.',
    })
  }
  return {
    group,
    state,
    protocol: described?.protocol ?? '',
    protocolType: described?.protocolType ?? '',
    members,
    offsets,
    totalLag: offsets.reduce((sum, offset) => sum + offset.lag, 0),
  }
}

/** Committed offsets of a group on every topic (or the given ones), with the lag to the log end. */
export async function committedOffsets(admin: Admin, group: string, topics?: string[]): Promise<CommittedOffset[]> {
  const names = topics ?? (await listTopicNames(admin))
  if (names.length === 0) return []
  const fetched = await admin.fetchOffsets({groupId: group, topics: names})
  const result: CommittedOffset[] = []
  for (const {topic, partitions} of fetched) {
    const committed = partitions.filter((partition) => Number(partition.offset) >= 0)
    if (committed.length === 0) continue
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, Number(entry.high)]))
    for (const partition of committed) {
      const latest = ends.get(partition.partition) ?? 0
      const offset = Number(partition.offset)
      result.push({topic, partition: partition.partition, committed: offset, latest, lag: Math.max(0, latest - offset)})
    }
  }
  return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** Total lag per group and topic, for every group on the brokers: the consumer-lag gauge of `status`. */
export async function lagByGroup(admin: Admin): Promise<Array<{group: string; topic: string; lag: number}>> {
  const {groups} = await admin.listGroups()
  const lags: Array<{group: string; topic: string; lag: number}> = []
  for (const {groupId} of groups.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
    const perTopic = new Map<string, number>()
    for (const offset of await committedOffsets(admin, groupId))
      perTopic.set(offset.topic, (perTopic.get(offset.topic) ?? 0) + offset.lag)
    for (const [topic, lag] of perTopic) lags.push({group: groupId, topic, lag})
  }
  return lags
}

/**
 * Deletes groups that have no members, with their committed offsets, and returns those deleted.
 * A group whose last member has just left may still be rebalancing on a real Kafka
 * (NON_EMPTY_GROUP): that is asked again up to `retries` times.
 */
export async function deleteEmptyGroups(admin: Admin, groupIds: readonly string[], retries = 5): Promise<string[]> {
  let left = [...groupIds]
  const deleted: string[] = []
  for (let attempt = 0; left.length > 0; attempt++) {
    const failed = await admin.deleteGroups(left).then(
      () => [] as Array<{groupId: string; error?: {type?: string}}>,
      (error: {groups?: Array<{groupId: string; error?: {type?: string}}>}) => {
        if (!error.groups) throw error
        return error.groups
      },
    )
    deleted.push(...left.filter((groupId) => !failed.some((failure) => failure.groupId === groupId)))
    left = failed.filter((failure) => failure.error?.type === 'NON_EMPTY_GROUP').map((failure) => failure.groupId)
    if (attempt >= retries) break
    if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return deleted
}
