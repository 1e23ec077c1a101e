// DeleteGroups (key 42), from Kafka's DeleteGroupsRequest/Response.json, versions 0-2 (flexible
// from 2). Kafka's `GroupsNames` is `groups` here.
import {flexibleVersions} from '../api-keys.js'
import type {Decoder} from '../decoder.js'
import {array, field, MessageSchema} from '../schema.js'

export const DeleteGroupsRequestSchema = new MessageSchema<{groups: string[]}>(
  'DeleteGroupsRequest',
  [array('groups', 'string', '0+')],
  flexibleVersions('DeleteGroups'),
)

export function decodeDeleteGroupsRequest(decoder: Decoder, version: number): {groups: string[]} {
  return DeleteGroupsRequestSchema.read(decoder, version)
}

export const DeleteGroupsResponseSchema = new MessageSchema<{results: Array<{groupId: string; errorCode: number}>}>(
  'DeleteGroupsResponse',
  [
    field('throttleTimeMs', 'int32', '0+'),
    array('results', [field('groupId', 'string', '0+'), field('errorCode', 'int16', '0+')], '0+'),
  ],
  flexibleVersions('DeleteGroups'),
)
