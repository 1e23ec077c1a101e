// The consumer-group APIs, answered by the group coordinator (this broker is every group's).
import type {RequestContext} from '../context.js'
import {encodeResponse, type Encoder} from '../protocol/encoder.js'
import {decodeFindCoordinatorRequest, encodeFindCoordinatorResponse} from '../protocol/apis/find-coordinator.js'
import {decodeJoinGroupRequest, encodeJoinGroupResponse} from '../protocol/apis/join-group.js'
import {decodeSyncGroupRequest, encodeSyncGroupResponse} from '../protocol/apis/sync-group.js'
import {decodeHeartbeatRequest, encodeErrorOnlyResponse} from '../protocol/apis/heartbeat.js'
import {decodeLeaveGroupRequest, encodeLeaveGroupResponse} from '../protocol/apis/leave-group.js'
import {decodeOffsetCommitRequest, encodeOffsetCommitResponse} from '../protocol/apis/offset-commit.js'
import {decodeOffsetFetchRequest, encodeOffsetFetchResponse} from '../protocol/apis/offset-fetch.js'
import {decodeDescribeGroupsRequest, encodeDescribeGroupsResponse} from '../protocol/apis/describe-groups.js'
import {encodeListGroupsResponse} from '../protocol/apis/list-groups.js'
import {decodeDeleteGroupsRequest, encodeDeleteGroupsResponse} from '../protocol/apis/delete-groups.js'

export function handleFindCoordinator({decoder, info, broker}: RequestContext): Encoder {
  decodeFindCoordinatorRequest(decoder, info.apiVersion)
  return encodeResponse(encodeFindCoordinatorResponse, info.apiVersion, {errorCode: 0, node: broker.node})
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
  return encodeResponse(encodeJoinGroupResponse, info.apiVersion, response)
}

export async function handleSyncGroup({decoder, info, broker}: RequestContext): Promise<Encoder> {
  const response = await broker.coordinator.sync(decodeSyncGroupRequest(decoder, info.apiVersion))
  return encodeResponse(encodeSyncGroupResponse, info.apiVersion, response)
}

export function handleHeartbeat({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeHeartbeatRequest(decoder, info.apiVersion)
  return encodeResponse(encodeErrorOnlyResponse, info.apiVersion, {
    errorCode: broker.coordinator.heartbeat(request.groupId, request.memberId, request.generationId),
  })
}

export function handleLeaveGroup({decoder, info, broker}: RequestContext): Encoder {
  const request = decodeLeaveGroupRequest(decoder, info.apiVersion)
  const members = broker.coordinator.leave(request.groupId, request.memberIds)
  return encodeResponse(encodeLeaveGroupResponse, info.apiVersion, {
    errorCode: info.apiVersion < 3 ? (members[0]?.errorCode ?? 0) : 0,
    members,
  })
}

export function handleOffsetCommit({decoder, info, broker}: RequestContext): Encoder {
  const result = broker.coordinator.commit(decodeOffsetCommitRequest(decoder, info.apiVersion))
  return encodeResponse(encodeOffsetCommitResponse, info.apiVersion, result)
}

export function handleOffsetFetch({decoder, info, broker}: RequestContext): Encoder {
  const response = broker.coordinator.fetchOffsets(decodeOffsetFetchRequest(decoder))
  return encodeResponse(encodeOffsetFetchResponse, info.apiVersion, response)
}

export function handleDescribeGroups({decoder, info, broker}: RequestContext): Encoder {
  const groups = broker.coordinator.describe(decodeDescribeGroupsRequest(decoder).groups)
  return encodeResponse(encodeDescribeGroupsResponse, info.apiVersion, groups)
}

export function handleListGroups({info, broker}: RequestContext): Encoder {
  return encodeResponse(encodeListGroupsResponse, info.apiVersion, broker.coordinator.list())
}

export function handleDeleteGroups({decoder, info, broker}: RequestContext): Encoder {
  const results = broker.coordinator.deleteGroups(decodeDeleteGroupsRequest(decoder).groups)
  for (const result of results)
    if (result.errorCode === 0) broker.logger.log('debug', 'group deleted', {group: result.groupId})
  return encodeResponse(encodeDeleteGroupsResponse, info.apiVersion, results)
}
