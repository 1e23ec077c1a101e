// DescribeGroups (key 15), from Kafka's DescribeGroupsRequest/Response.json, versions 0-5
// (flexible from 5). v3+ may ask for authorized operations; without ACLs this broker answers
// Kafka's "not asked" value. v4+ members carry their group instance id.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

export interface DescribeGroupsRequest {
  groups: string[]
  includeAuthorizedOperations: boolean
}

export const DescribeGroupsRequestSchema = new MessageSchema<DescribeGroupsRequest>(
  'DescribeGroupsRequest',
  [array('groups', 'string', '0+'), field('includeAuthorizedOperations', 'bool', '3+')],
  flexibleVersions('DescribeGroups'),
)

export function decodeDescribeGroupsRequest(decoder: Decoder, version: number): DescribeGroupsRequest {
  return DescribeGroupsRequestSchema.read(decoder, version)
}

/** Kafka's AuthorizedOperations when they were not asked for (INT32_MIN). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export interface DescribedGroup {
  errorCode: number
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: Array<{
    memberId: string
    groupInstanceId?: string | null
    clientId: string
    clientHost: string
    metadata: Buffer
    assignment: Buffer
  }>
  authorizedOperations?: number
}

export const DescribeGroupsResponseSchema = new MessageSchema<{groups: DescribedGroup[]}>(
  'DescribeGroupsResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    array(
      'groups',
      [
        field('errorCode', 'int16', '0+'),
        field('groupId', 'string', '0+'),
        field('state', 'string', '0+'),
        field('protocolType', 'string', '0+'),
        field('protocol', 'string', '0+'),
        array(
          'members',
          [
            field('memberId', 'string', '0+'),
            field('groupInstanceId', 'string', '4+', {nullable: '4+', default: null}),
            field('clientId', 'string', '0+'),
            field('clientHost', 'string', '0+'),
            field('metadata', 'bytes', '0+'),
            field('assignment', 'bytes', '0+'),
          ],
          '0+',
        ),
        field('authorizedOperations', 'int32', '3+', {default: AUTHORIZED_OPERATIONS_OMITTED}),
      ],
      '0+',
    ),
  ],
  flexibleVersions('DescribeGroups'),
)
