// DescribeCluster: this one node is the whole cluster, as its only broker and its controller.
import type {RequestContext} from '../context.js'
import type {Encoder} from '../protocol/encoder.js'
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  DescribeClusterRequestSchema,
  DescribeClusterResponseSchema,
} from '../protocol/apis/describe-cluster.js'

export function handleDescribeCluster({decoder, info, broker}: RequestContext): Encoder {
  const request = DescribeClusterRequestSchema.read(decoder, info.apiVersion)
  const {nodeId, host, port} = broker.node
  return DescribeClusterResponseSchema.encode(info.apiVersion, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: request.endpointType,
    clusterId: broker.clusterId,
    controllerId: nodeId,
    brokers: [{brokerId: nodeId, host, port, rack: null}],
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  })
}
