// DescribeCluster (key 60), versions 0-1, flexible in all; from Kafka's DescribeClusterRequest/Response.json.
// v1 asks for brokers (endpoint_type 1) or controllers (2) and echoes which it described.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export const EndpointType = {brokers: 1, controllers: 2} as const

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean
  endpointType: number
}

export const DescribeClusterRequestSchema = new MessageSchema<DescribeClusterRequest>(
  'DescribeClusterRequest',
  [
    field('includeClusterAuthorizedOperations', 'bool', '0+'),
    field('endpointType', 'int8', '1+', {default: EndpointType.brokers}),
  ],
  flexibleVersions('DescribeCluster'),
)

export interface DescribeClusterResponse {
  throttleTimeMs: number
  errorCode: number
  errorMessage: string | null
  endpointType: number
  clusterId: string
  controllerId: number
  brokers: Array<{brokerId: number; host: string; port: number; rack: string | null}>
  clusterAuthorizedOperations?: number
}

/** Kafka's "authorized operations not requested" bit field. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export const DescribeClusterResponseSchema = new MessageSchema<DescribeClusterResponse>(
  'DescribeClusterResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    field('errorCode', 'int16', '0+'),
    field('errorMessage', 'string', '0+', {nullable: '0+', default: null}),
    field('endpointType', 'int8', '1+', {default: EndpointType.brokers}),
    field('clusterId', 'string', '0+'),
    field('controllerId', 'int32', '0+', {default: -1}),
    array(
      'brokers',
      [
        field('brokerId', 'int32', '0+'),
        field('host', 'string', '0+'),
        field('port', 'int32', '0+'),
        field('rack', 'string', '0+', {nullable: '0+', default: null}),
      ],
      '0+',
    ),
    field('clusterAuthorizedOperations', 'int32', '0+', {default: AUTHORIZED_OPERATIONS_OMITTED}),
  ],
  flexibleVersions('DescribeCluster'),
)
