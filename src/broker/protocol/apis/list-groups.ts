// ListGroups (key 16), from Kafka's ListGroupsRequest/Response.json, versions 0-4 (flexible from
// 3). v4+ filter by group state (an empty filter lists every group) and answer each group's state.
import {flexibleVersions} from '../api-keys.js'
import {array, field, MessageSchema} from '../schema.js'

export const ListGroupsRequestSchema = new MessageSchema<{statesFilter: string[]}>(
  'ListGroupsRequest',
  [array('statesFilter', 'string', '4+')],
  flexibleVersions('ListGroups'),
)

export interface ListedGroup {
  groupId: string
  protocolType: string
  groupState: string
}

export const ListGroupsResponseSchema = new MessageSchema<{errorCode: number; groups: ListedGroup[]}>(
  'ListGroupsResponse',
  [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    array(
      'groups',
      [field('groupId', 'string', '0+'), field('protocolType', 'string', '0+'), field('groupState', 'string', '4+')],
      '0+',
    ),
  ],
  flexibleVersions('ListGroups'),
)
