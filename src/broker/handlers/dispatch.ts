// Which handler answers which API. A handler decodes its request from the frame, acts, and
// returns the encoded response body (or nothing, for a Produce with acks=0).
import type {BrokerContext, RequestInfo} from '../context.js'
import type {ApiName} from '../protocol/api-keys.js'
import {advertisedVersions} from '../protocol/api-keys.js'
import type {Decoder} from '../protocol/decoder.js'
import {Encoder} from '../protocol/encoder.js'
import {encodeApiVersionsResponse} from '../protocol/apis/api-versions.js'
import {handleFetch} from './fetch.js'
import {
  handleDeleteGroups,
  handleFindCoordinator,
  handleDescribeGroups,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetCommit,
  handleOffsetFetch,
  handleSyncGroup,
} from './groups.js'
import {handleInitProducerId, handleListOffsets} from './offsets.js'
import {handleProduce} from './produce.js'
import {
  handleAlterConfigs,
  handleCreatePartitions,
  handleCreateTopics,
  handleDeleteTopics,
  handleDescribeConfigs,
  handleMetadata,
} from './topics.js'

export type Handler = (
  decoder: Decoder,
  info: RequestInfo,
  broker: BrokerContext,
) => Encoder | undefined | Promise<Encoder | undefined>

export function handleApiVersions(_decoder: Decoder, info: RequestInfo): Encoder {
  const encoder = new Encoder()
  encodeApiVersionsResponse(encoder, info.version, {errorCode: 0, apiKeys: advertisedVersions()})
  return encoder
}

export const HANDLERS: Record<ApiName, Handler> = {
  ApiVersions: handleApiVersions,
  Metadata: (decoder, info, broker) => handleMetadata(decoder, info.version, broker),
  Produce: (decoder, info, broker) => handleProduce(decoder, info.version, broker),
  Fetch: (decoder, info, broker) => handleFetch(decoder, info.version, broker),
  ListOffsets: (decoder, info, broker) => handleListOffsets(decoder, info.version, broker),
  CreateTopics: (decoder, info, broker) => handleCreateTopics(decoder, info.version, broker),
  DeleteTopics: (decoder, info, broker) => handleDeleteTopics(decoder, info.version, broker),
  CreatePartitions: (decoder, info, broker) => handleCreatePartitions(decoder, info.version, broker),
  DescribeConfigs: (decoder, info, broker) => handleDescribeConfigs(decoder, info.version, broker),
  AlterConfigs: (decoder, info, broker) => handleAlterConfigs(decoder, info.version, broker),
  InitProducerId: (decoder, info, broker) => handleInitProducerId(decoder, info.version, broker),
  FindCoordinator: handleFindCoordinator,
  JoinGroup: handleJoinGroup,
  SyncGroup: handleSyncGroup,
  Heartbeat: handleHeartbeat,
  LeaveGroup: handleLeaveGroup,
  OffsetCommit: handleOffsetCommit,
  OffsetFetch: handleOffsetFetch,
  DescribeGroups: handleDescribeGroups,
  ListGroups: handleListGroups,
  DeleteGroups: handleDeleteGroups,
}
