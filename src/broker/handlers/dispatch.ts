// Which handler answers which API. A handler decodes its request from the frame, acts, and
// returns the encoded response body (or nothing, for a Produce with acks=0).
import type {RequestContext} from '../context.js'
import {supportsVersion, type ApiName} from '../protocol/api-keys.js'
import type {Encoder} from '../protocol/encoder.js'
import {apiVersionsAnswer, ApiVersionsRequestSchema} from '../protocol/apis/api-versions.js'
import {handleDescribeCluster} from './cluster.js'
import {handleAlterConfigs, handleDescribeConfigs, handleIncrementalAlterConfigs} from './configs.js'
import {handleDeleteRecords} from './delete-records.js'
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
  handleOffsetDelete,
  handleOffsetFetch,
  handleSyncGroup,
} from './groups.js'
import {handleListOffsets} from './offsets.js'
import {handleProduce} from './produce.js'
import {handleCreatePartitions, handleCreateTopics, handleDeleteTopics, handleMetadata} from './topics.js'
import {
  handleAddOffsetsToTxn,
  handleAddPartitionsToTxn,
  handleEndTxn,
  handleInitProducerId,
  handleTxnOffsetCommit,
} from './transactions.js'

export type Handler = (request: RequestContext) => Encoder | undefined | Promise<Encoder | undefined>

export function handleApiVersions({decoder, info}: RequestContext): Encoder {
  if (!supportsVersion('ApiVersions', info.apiVersion)) return apiVersionsAnswer(info.apiVersion)
  return apiVersionsAnswer(info.apiVersion, ApiVersionsRequestSchema.read(decoder, info.apiVersion))
}

export const HANDLERS: Record<ApiName, Handler> = {
  ApiVersions: handleApiVersions,
  Metadata: handleMetadata,
  Produce: handleProduce,
  Fetch: handleFetch,
  ListOffsets: handleListOffsets,
  CreateTopics: handleCreateTopics,
  DeleteTopics: handleDeleteTopics,
  CreatePartitions: handleCreatePartitions,
  DescribeConfigs: handleDescribeConfigs,
  AlterConfigs: handleAlterConfigs,
  InitProducerId: handleInitProducerId,
  AddPartitionsToTxn: handleAddPartitionsToTxn,
  AddOffsetsToTxn: handleAddOffsetsToTxn,
  EndTxn: handleEndTxn,
  TxnOffsetCommit: handleTxnOffsetCommit,
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
  OffsetDelete: handleOffsetDelete,
  DeleteRecords: handleDeleteRecords,
  IncrementalAlterConfigs: handleIncrementalAlterConfigs,
  DescribeCluster: handleDescribeCluster,
}
