// The consumer-group message schemas at their lowest and highest versions: what a version carries
// survives a write and a read, what it does not carry reads as Kafka's default, and the flexible
// versions agree byte for byte with @platformatic/kafka's own request writers and response readers.
import {describe, expect, it} from 'vitest'
import {joinGroupV9, offsetFetchV8, Reader, findCoordinatorV4, listGroupsV4} from '@platformatic/kafka'
import {Decoder} from '../../src/broker/protocol/decoder.js'
import {SUPPORTED_VERSIONS, type ApiName} from '../../src/broker/protocol/api-keys.js'
import type {MessageSchema} from '../../src/broker/protocol/schema.js'
import {
  FindCoordinatorRequestSchema,
  FindCoordinatorResponseSchema,
} from '../../src/broker/protocol/apis/find-coordinator.js'
import {JoinGroupRequestSchema, JoinGroupResponseSchema} from '../../src/broker/protocol/apis/join-group.js'
import {HeartbeatRequestSchema, HeartbeatResponseSchema} from '../../src/broker/protocol/apis/heartbeat.js'
import {LeaveGroupRequestSchema, LeaveGroupResponseSchema} from '../../src/broker/protocol/apis/leave-group.js'
import {SyncGroupRequestSchema, SyncGroupResponseSchema} from '../../src/broker/protocol/apis/sync-group.js'
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  DescribeGroupsRequestSchema,
  DescribeGroupsResponseSchema,
} from '../../src/broker/protocol/apis/describe-groups.js'
import {ListGroupsRequestSchema, ListGroupsResponseSchema} from '../../src/broker/protocol/apis/list-groups.js'
import {DeleteGroupsRequestSchema, DeleteGroupsResponseSchema} from '../../src/broker/protocol/apis/delete-groups.js'
import {OffsetCommitRequestSchema, OffsetCommitResponseSchema} from '../../src/broker/protocol/apis/offset-commit.js'
import {OffsetFetchRequestSchema, OffsetFetchResponseSchema} from '../../src/broker/protocol/apis/offset-fetch.js'
import {OffsetDeleteRequestSchema, OffsetDeleteResponseSchema} from '../../src/broker/protocol/apis/offset-delete.js'

/** Writes `value` at `version`, reads it back, and checks nothing was left over. */
function roundTrip(schema: MessageSchema<object>, version: number, value: object): Record<string, unknown> {
  const decoder = new Decoder(schema.encode(version, value).toBuffer())
  const read = schema.read(decoder, version) as Record<string, unknown>
  expect(decoder.remaining, `${schema.name} v${version}`).toBe(0)
  return read
}

const meta = Buffer.from('subscription')
const topics = [{name: 't', partitions: [{partition: 2, offset: 42, metadata: 'm', errorCode: 0}]}]

// For each API: its schemas, a value with every field of every version, and what the lowest and
// highest versions read back.
const cases: Array<{
  api: ApiName
  request: [MessageSchema<object>, object, object, object]
  response: [MessageSchema<object>, object, object, object]
}> = [
  {
    api: 'FindCoordinator',
    request: [
      FindCoordinatorRequestSchema,
      {key: 'g', keyType: 1, coordinatorKeys: ['g', 'h']},
      {key: 'g', keyType: 0, coordinatorKeys: []},
      {key: '', keyType: 1, coordinatorKeys: ['g', 'h']},
    ],
    response: [
      FindCoordinatorResponseSchema,
      {
        errorCode: 0,
        errorMessage: null,
        nodeId: 1,
        host: 'h',
        port: 9,
        coordinators: [{key: 'g', nodeId: 1, host: 'h', port: 9, errorCode: 0, errorMessage: null}],
      },
      {nodeId: 1, host: 'h', port: 9, coordinators: []},
      {nodeId: 0, host: '', coordinators: [{key: 'g', nodeId: 1, host: 'h', port: 9}]},
    ],
  },
  {
    api: 'JoinGroup',
    request: [
      JoinGroupRequestSchema,
      {
        groupId: 'g',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberId: 'm',
        groupInstanceId: 'i',
        protocolType: 'consumer',
        protocols: [{name: 'range', metadata: meta}],
        reason: 'because',
      },
      {rebalanceTimeoutMs: -1, groupInstanceId: null, reason: null, protocols: [{name: 'range', metadata: meta}]},
      {rebalanceTimeoutMs: 30_000, groupInstanceId: 'i', reason: 'because'},
    ],
    response: [
      JoinGroupResponseSchema,
      {
        errorCode: 0,
        generationId: 3,
        protocolType: 'consumer',
        protocolName: 'range',
        leader: 'm',
        memberId: 'm',
        members: [{memberId: 'm', groupInstanceId: 'i', metadata: meta}],
      },
      {generationId: 3, protocolType: null, members: [{memberId: 'm', groupInstanceId: null, metadata: meta}]},
      {protocolType: 'consumer', skipAssignment: false, members: [{groupInstanceId: 'i'}]},
    ],
  },
  {
    api: 'Heartbeat',
    request: [
      HeartbeatRequestSchema,
      {groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: 'i'},
      {generationId: 2, groupInstanceId: null},
      {generationId: 2, groupInstanceId: 'i'},
    ],
    response: [HeartbeatResponseSchema, {errorCode: 27}, {errorCode: 27}, {errorCode: 27}],
  },
  {
    api: 'LeaveGroup',
    request: [
      LeaveGroupRequestSchema,
      {groupId: 'g', memberId: 'm', members: [{memberId: 'a', groupInstanceId: null, reason: 'done'}]},
      {memberId: 'm', members: []},
      {memberId: '', members: [{memberId: 'a', reason: 'done'}]},
    ],
    response: [
      LeaveGroupResponseSchema,
      {errorCode: 25, members: [{memberId: 'a', groupInstanceId: null, errorCode: 25}]},
      {errorCode: 25, members: []},
      {members: [{memberId: 'a', errorCode: 25}]},
    ],
  },
  {
    api: 'SyncGroup',
    request: [
      SyncGroupRequestSchema,
      {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{memberId: 'm', assignment: meta}],
      },
      {protocolType: null, assignments: [{memberId: 'm', assignment: meta}]},
      {protocolType: 'consumer', protocolName: 'range'},
    ],
    response: [
      SyncGroupResponseSchema,
      {errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: meta},
      {protocolName: null, assignment: meta},
      {protocolName: 'range', assignment: meta},
    ],
  },
  {
    api: 'DescribeGroups',
    request: [
      DescribeGroupsRequestSchema,
      {groups: ['g'], includeAuthorizedOperations: true},
      {groups: ['g'], includeAuthorizedOperations: false},
      {groups: ['g'], includeAuthorizedOperations: true},
    ],
    response: [
      DescribeGroupsResponseSchema,
      {
        groups: [
          {
            errorCode: 0,
            groupId: 'g',
            state: 'Stable',
            protocolType: 'consumer',
            protocol: 'range',
            members: [
              {memberId: 'm', groupInstanceId: 'i', clientId: 'c', clientHost: '/h', metadata: meta, assignment: meta},
            ],
          },
        ],
      },
      {
        groups: [
          {state: 'Stable', authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED, members: [{groupInstanceId: null}]},
        ],
      },
      {
        groups: [
          {state: 'Stable', authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED, members: [{groupInstanceId: 'i'}]},
        ],
      },
    ],
  },
  {
    api: 'ListGroups',
    request: [ListGroupsRequestSchema, {statesFilter: ['Stable']}, {statesFilter: []}, {statesFilter: ['Stable']}],
    response: [
      ListGroupsResponseSchema,
      {errorCode: 0, groups: [{groupId: 'g', protocolType: 'consumer', groupState: 'Empty'}]},
      {groups: [{groupId: 'g', groupState: ''}]},
      {groups: [{groupId: 'g', groupState: 'Empty'}]},
    ],
  },
  {
    api: 'DeleteGroups',
    request: [DeleteGroupsRequestSchema, {groups: ['g', 'h']}, {groups: ['g', 'h']}, {groups: ['g', 'h']}],
    response: [
      DeleteGroupsResponseSchema,
      {results: [{groupId: 'g', errorCode: 68}]},
      {results: [{groupId: 'g', errorCode: 68}]},
      {results: [{groupId: 'g', errorCode: 68}]},
    ],
  },
  {
    api: 'OffsetCommit',
    request: [
      OffsetCommitRequestSchema,
      {
        groupId: 'g',
        generationId: 4,
        memberId: 'm',
        groupInstanceId: null,
        topics: [{name: 't', partitions: [{partition: 1, offset: 2 ** 40, committedLeaderEpoch: 7, metadata: null}]}],
      },
      {
        generationId: -1,
        memberId: '',
        topics: [{name: 't', partitions: [{offset: 2 ** 40, committedLeaderEpoch: -1}]}],
      },
      {generationId: 4, memberId: 'm', topics: [{name: 't', partitions: [{offset: 2 ** 40, committedLeaderEpoch: 7}]}]},
    ],
    response: [
      OffsetCommitResponseSchema,
      {topics: [{name: 't', partitions: [{partition: 1, errorCode: 0}]}]},
      {topics: [{name: 't', partitions: [{partition: 1, errorCode: 0}]}]},
      {topics: [{name: 't', partitions: [{partition: 1, errorCode: 0}]}]},
    ],
  },
  {
    api: 'OffsetFetch',
    request: [
      OffsetFetchRequestSchema,
      {
        groupId: 'g',
        topics: [{name: 't', partitions: [0]}],
        groups: [{groupId: 'g', topics: null}],
        requireStable: true,
      },
      {groupId: 'g', topics: [{name: 't', partitions: [0]}], groups: [], requireStable: false},
      {groupId: '', topics: [], groups: [{groupId: 'g', topics: null}], requireStable: true},
    ],
    response: [
      OffsetFetchResponseSchema,
      {errorCode: 0, topics, groups: [{groupId: 'g', errorCode: 0, topics}]},
      {topics, groups: []},
      {
        topics: [],
        groups: [{groupId: 'g', topics: [{name: 't', partitions: [{offset: 42, committedLeaderEpoch: -1}]}]}],
      },
    ],
  },
  {
    api: 'OffsetDelete',
    request: [
      OffsetDeleteRequestSchema,
      {groupId: 'g', topics: [{name: 't', partitions: [{partition: 0}]}]},
      {groupId: 'g', topics: [{name: 't', partitions: [{partition: 0}]}]},
      {groupId: 'g', topics: [{name: 't', partitions: [{partition: 0}]}]},
    ],
    response: [
      OffsetDeleteResponseSchema,
      {errorCode: 0, topics: [{name: 't', partitions: [{partition: 0, errorCode: 86}]}]},
      {errorCode: 0, topics: [{name: 't', partitions: [{partition: 0, errorCode: 86}]}]},
      {errorCode: 0, topics: [{name: 't', partitions: [{partition: 0, errorCode: 86}]}]},
    ],
  },
]

describe('consumer-group schemas', () => {
  for (const {api, request, response} of cases) {
    const {minVersion, maxVersion} = SUPPORTED_VERSIONS[api]
    it(`${api} v${minVersion} and v${maxVersion} round-trip`, () => {
      for (const [schema, value, lowest, highest] of [request, response]) {
        expect(roundTrip(schema, minVersion, value)).toMatchObject(lowest)
        expect(roundTrip(schema, maxVersion, value)).toMatchObject(highest)
      }
    })
  }
})

/** Concatenates a platformatic request writer's buffers. */
const written = (writer: {buffers: Buffer[]}) => Buffer.concat(writer.buffers)

describe('against @platformatic/kafka codecs', () => {
  it('reads its JoinGroup v9, FindCoordinator v4, OffsetFetch v8 and ListGroups v4 requests', () => {
    const join = new Decoder(
      written(
        joinGroupV9.createRequest(
          'g',
          10_000,
          20_000,
          '',
          null,
          'consumer',
          [{name: 'roundrobin', metadata: meta}],
          'hi',
        ),
      ),
    )
    expect(JoinGroupRequestSchema.read(join, 9)).toMatchObject({
      groupId: 'g',
      rebalanceTimeoutMs: 20_000,
      groupInstanceId: null,
      protocols: [{name: 'roundrobin', metadata: meta}],
      reason: 'hi',
    })
    expect(join.remaining).toBe(0)
    expect(
      FindCoordinatorRequestSchema.read(new Decoder(written(findCoordinatorV4.createRequest(0, ['a', 'b']))), 4),
    ).toEqual({key: '', keyType: 0, coordinatorKeys: ['a', 'b']})
    const fetch = offsetFetchV8.createRequest(
      [{groupId: 'g', memberEpoch: -1, topics: [{name: 't', partitionIndexes: [0, 1]}]}],
      true,
    )
    expect(OffsetFetchRequestSchema.read(new Decoder(written(fetch)), 8)).toMatchObject({
      groups: [{groupId: 'g', topics: [{name: 't', partitions: [0, 1]}]}],
      requireStable: true,
    })
    const list = ListGroupsRequestSchema.read(new Decoder(written(listGroupsV4.createRequest(['STABLE'], []))), 4)
    // the client writes Kafka's state names (Stable), not its enum's (STABLE)
    expect(list.statesFilter).toEqual(['Stable'])
  })

  it('writes JoinGroup v9 and OffsetFetch v8 responses it parses', () => {
    const join = JoinGroupResponseSchema.encode(9, {
      errorCode: 0,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'roundrobin',
      leader: 'm',
      memberId: 'm',
      members: [{memberId: 'm', groupInstanceId: null, metadata: meta}],
    })
    expect(joinGroupV9.parseResponse(1, 11, 9, Reader.from(join.toBuffer()))).toMatchObject({
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'roundrobin',
      skipAssignment: false,
      members: [{memberId: 'm', groupInstanceId: null}],
    })
    const fetched = OffsetFetchResponseSchema.encode(8, {
      errorCode: 0,
      topics: [],
      groups: [{groupId: 'g', errorCode: 0, topics}],
    })
    expect(offsetFetchV8.parseResponse(1, 9, 8, Reader.from(fetched.toBuffer()))).toMatchObject({
      groups: [
        {groupId: 'g', errorCode: 0, topics: [{name: 't', partitions: [{partitionIndex: 2, committedOffset: 42n}]}]},
      ],
    })
  })
})
