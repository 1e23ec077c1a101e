// The consumer-group APIs, answered by the group coordinator (this broker is every group's).
import type {BrokerContext, RequestInfo} from '../context.js'
import type {Decoder} from '../protocol/decoder.js'
import {Encoder} from '../protocol/encoder.js'
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

export function handleFindCoordinator(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  decodeFindCoordinatorRequest(decoder, info.version)
  const encoder = new Encoder()
  encodeFindCoordinatorResponse(encoder, info.version, {errorCode: 0, node: broker.node})
  return encoder
}

export async function handleJoinGroup(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Promise<Encoder> {
  const request = decodeJoinGroupRequest(decoder, info.version)
  const response = await broker.coordinator.join(request, info.version, {
    clientId: info.clientId,
    clientHost: info.clientHost,
  })
  if (response.errorCode === 0)
    broker.logger.log('debug', 'member joined', {
      group: request.groupId,
      member: response.memberId,
      generation: response.generationId,
    })
  const encoder = new Encoder()
  encodeJoinGroupResponse(encoder, info.version, response)
  return encoder
}

export async function handleSyncGroup(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Promise<Encoder> {
  const response = await broker.coordinator.sync(decodeSyncGroupRequest(decoder, info.version))
  const encoder = new Encoder()
  encodeSyncGroupResponse(encoder, info.version, response)
  return encoder
}

export function handleHeartbeat(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  const request = decodeHeartbeatRequest(decoder, info.version)
  const encoder = new Encoder()
  encodeErrorOnlyResponse(encoder, info.version, {
    errorCode: broker.coordinator.heartbeat(request.groupId, request.memberId, request.generationId),
  })
  return encoder
}

export function handleLeaveGroup(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  const request = decodeLeaveGroupRequest(decoder, info.version)
  const members = broker.coordinator.leave(request.groupId, request.memberIds)
  const encoder = new Encoder()
  encodeLeaveGroupResponse(encoder, info.version, {
    errorCode: info.version < 3 ? (members[0]?.errorCode ?? 0) : 0,
    members,
  })
  return encoder
}

export function handleOffsetCommit(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  const result = broker.coordinator.commit(decodeOffsetCommitRequest(decoder, info.version))
  const encoder = new Encoder()
  encodeOffsetCommitResponse(encoder, info.version, result)
  return encoder
}

export function handleOffsetFetch(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  const response = broker.coordinator.fetchOffsets(decodeOffsetFetchRequest(decoder))
  const encoder = new Encoder()
  encodeOffsetFetchResponse(encoder, info.version, response)
  return encoder
}

export function handleDescribeGroups(decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  const encoder = new Encoder()
  encodeDescribeGroupsResponse(
    encoder,
    info.version,
    broker.coordinator.describe(decodeDescribeGroupsRequest(decoder).groups),
  )
  return encoder
}

export function handleListGroups(_decoder: Decoder, info: RequestInfo, broker: BrokerContext): Encoder {
  const encoder = new Encoder()
  encodeListGroupsResponse(encoder, info.version, broker.coordinator.list())
  return encoder
}

export function handleDeleteGroups(decoder: Decoder, _info: RequestInfo, broker: BrokerContext): Encoder {
  const results = broker.coordinator.deleteGroups(decodeDeleteGroupsRequest(decoder).groups)
  for (const result of results)
    if (result.errorCode === 0) broker.logger.log('debug', 'group deleted', {group: result.groupId})
  const encoder = new Encoder()
  encodeDeleteGroupsResponse(encoder, results)
  return encoder
}
