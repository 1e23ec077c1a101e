// The consumer-group APIs, answered by the group coordinator (this broker is every group's).
import type {RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {errorCode} from '../protocol/errors.js'
import {
  coordinatorKeysOf,
  decodeFindCoordinatorRequest,
  FindCoordinatorResponseSchema,
} from '../protocol/apis/find-coordinator.js'
import {decodeJoinGroupRequest, JoinGroupResponseSchema} from '../protocol/apis/join-group.js'
import {decodeSyncGroupRequest, SyncGroupResponseSchema} from '../protocol/apis/sync-group.js'
import {decodeHeartbeatRequest, HeartbeatResponseSchema} from '../protocol/apis/heartbeat.js'
import {decodeLeaveGroupRequest, leavingMembers, LeaveGroupResponseSchema} from '../protocol/apis/leave-group.js'
import {decodeOffsetCommitRequest, OffsetCommitResponseSchema} from '../protocol/apis/offset-commit.js'
import {decodeOffsetFetchRequest, offsetFetchGroups, OffsetFetchResponseSchema} from '../protocol/apis/offset-fetch.js'
import {OffsetDeleteRequestSchema, OffsetDeleteResponseSchema} from '../protocol/apis/offset-delete.js'
import {decodeDescribeGroupsRequest, DescribeGroupsResponseSchema} from '../protocol/apis/describe-groups.js'
import {ListGroupsRequestSchema, ListGroupsResponseSchema} from '../protocol/apis/list-groups.js'
import {decodeDeleteGroupsRequest, DeleteGroupsResponseSchema} from '../protocol/apis/delete-groups.js'

/** Key types this broker coordinates: 0 a group, 1 a transactional id. */
const COORDINATED_KEY_TYPES = new Set([0, 1])

export function handleFindCoordinator({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeFindCoordinatorRequest(decoder, info.apiVersion)
  const error = COORDINATED_KEY_TYPES.has(request.keyType) ? 0 : errorCode('INVALID_REQUEST')
  const {nodeId, host, port} = broker.node
  const coordinators = coordinatorKeysOf(request, info.apiVersion).map((key) => ({
    key,
    nodeId: error === 0 ? nodeId : -1,
    host: error === 0 ? host : '',
    port: error === 0 ? port : -1,
    errorCode: error,
    errorMessage: null,
  }))
  const {key: _key, ...single} = coordinators[0]!
  return FindCoordinatorResponseSchema.encode(info.apiVersion, {...single, coordinators})
}

export async function handleJoinGroup({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = decodeJoinGroupRequest(decoder, info.apiVersion)
  const response = await broker.coordinator.join(request, info.apiVersion, {
    clientId: info.clientId,
    clientHost: info.clientHost,
  })
  if (response.errorCode === 0)
    broker.logger.log('debug', 'member joined', {
      group: request.groupId,
      member: response.memberId,
      generation: response.generationId,
    })
  return JoinGroupResponseSchema.encode(info.apiVersion, response)
}

export async function handleSyncGroup({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const request = decodeSyncGroupRequest(decoder, info.apiVersion)
  const group = broker.coordinator.protocolOf(request.groupId)
  // v5+: a member naming a protocol type or name other than its group's is refused, as Kafka does.
  const inconsistent =
    group.protocolType !== null &&
    ((request.protocolType != null && request.protocolType !== group.protocolType) ||
      (request.protocolName != null && request.protocolName !== group.protocolName))
  const result = inconsistent
    ? {errorCode: errorCode('INCONSISTENT_GROUP_PROTOCOL'), assignment: Buffer.alloc(0)}
    : await broker.coordinator.sync(request)
  return SyncGroupResponseSchema.encode(info.apiVersion, {...result, ...broker.coordinator.protocolOf(request.groupId)})
}

export function handleHeartbeat({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeHeartbeatRequest(decoder, info.apiVersion)
  return HeartbeatResponseSchema.encode(info.apiVersion, {
    errorCode: broker.coordinator.heartbeat(
      request.groupId,
      request.memberId,
      request.generationId,
      request.groupInstanceId,
    ),
  })
}

export function handleLeaveGroup({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeLeaveGroupRequest(decoder, info.apiVersion)
  const leaving = leavingMembers(request, info.apiVersion)
  const results = broker.coordinator.leave(request.groupId, leaving)
  const members = results.map((result, index) => ({...result, groupInstanceId: leaving[index]!.groupInstanceId}))
  return LeaveGroupResponseSchema.encode(info.apiVersion, {
    errorCode: info.apiVersion < 3 ? (members[0]?.errorCode ?? 0) : 0,
    members,
  })
}

export function handleOffsetCommit({decoder, info, broker}: RequestContext): Encoder {
  const topics = broker.coordinator.commit(decodeOffsetCommitRequest(decoder, info.apiVersion))
  return OffsetCommitResponseSchema.encode(info.apiVersion, {topics})
}

/**
 * v8+ answer each group on its own; earlier versions one group at the top level. With
 * `requireStable` (v7+), a partition an open transaction holds an offset for answers
 * UNSTABLE_OFFSET_COMMIT (retriable) and no offset, as Kafka does, until the transaction ends.
 */
export function handleOffsetFetch({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeOffsetFetchRequest(decoder, info.apiVersion)
  const unstable = errorCode('UNSTABLE_OFFSET_COMMIT')
  const groups = offsetFetchGroups(request, info.apiVersion).map((wanted) => {
    const fetched = broker.coordinator.fetchOffsets(wanted)
    if (!request.requireStable) return {groupId: wanted.groupId, ...fetched}
    const topics = fetched.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) =>
        broker.transactions.hasPendingOffset(wanted.groupId, topic.name, partition.partition)
          ? {partition: partition.partition, offset: -1, metadata: '', errorCode: unstable}
          : partition,
      ),
    }))
    return {groupId: wanted.groupId, errorCode: fetched.errorCode, topics}
  })
  const {errorCode: error, topics} = groups[0] ?? {errorCode: 0, topics: []}
  return OffsetFetchResponseSchema.encode(info.apiVersion, {errorCode: error, topics, groups})
}

export function handleOffsetDelete({decoder, info, broker}: RequestContext): Encoder {
  const request = OffsetDeleteRequestSchema.read(decoder, info.apiVersion)
  const response = broker.coordinator.deleteOffsets(request)
  if (response.errorCode === 0)
    broker.logger.log('debug', 'offsets deleted', {group: request.groupId, topics: request.topics.length})
  return OffsetDeleteResponseSchema.encode(info.apiVersion, response)
}

export function handleDescribeGroups({decoder, info, broker}: RequestContext): Encoder {
  const groups = broker.coordinator.describe(decodeDescribeGroupsRequest(decoder, info.apiVersion).groups)
  return DescribeGroupsResponseSchema.encode(info.apiVersion, {groups})
}

export function handleListGroups({decoder, info, broker}: RequestContext): Encoder {
  const {statesFilter} = ListGroupsRequestSchema.read(decoder, info.apiVersion)
  return ListGroupsResponseSchema.encode(info.apiVersion, {errorCode: 0, groups: broker.coordinator.list(statesFilter)})
}

export function handleDeleteGroups({decoder, info, broker}: RequestContext): Encoder {
  const results = broker.coordinator.deleteGroups(decodeDeleteGroupsRequest(decoder, info.apiVersion).groups)
  for (const result of results)
    if (result.errorCode === 0) broker.logger.log('debug', 'group deleted', {group: result.groupId})
  return DeleteGroupsResponseSchema.encode(info.apiVersion, {results})
}
