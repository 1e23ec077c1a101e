// @platformatic/kafka against the embedded broker, started as a real process: the consumer-group
// APIs at the flexible versions that client speaks, first request by request through its own
// protocol layer (FindCoordinator v4 through DeleteGroups v2 and OffsetDelete), then as its users
// meet them: a consumer group sharing a topic, committed offsets and lag, the admin's group calls.
import {
  Admin,
  Connection,
  Consumer,
  deleteGroupsV2,
  describeGroupsV5,
  findCoordinatorV4,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  listGroupsV4,
  offsetCommitV8,
  offsetDeleteV0,
  offsetFetchV8,
  ResponseError,
  stringDeserializers,
  syncGroupV5,
} from '@platformatic/kafka'
import {Kafka, logLevel} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {KafkaErrors} from '../../src/broker/protocol/errors.js'
import {startBrokerProcess, waitFor, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka
let host: string
let port: number

beforeAll(async () => {
  broker = await startBrokerProcess()
  const [address, portText] = broker.brokers[0]!.split(':')
  host = address!
  port = Number(portText)
  kafka = new Kafka({brokers: broker.brokers, clientId: 'plat-setup', logLevel: logLevel.NOTHING})
})
afterAll(async () => {
  await broker?.cleanup()
})

/** Creates a topic and fills it with `count` keyed records, with kafkajs. */
async function seedTopic(topic: string, partitions: number, count: number): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({topics: [{topic, numPartitions: partitions}], waitForLeaders: true})
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({
    topic,
    messages: Array.from({length: count}, (_, index) => ({key: `key-${index}`, value: `value-${index}`})),
  })
  await producer.disconnect()
}

/** A ConsumerProtocolSubscription v0 naming `topics`, as a consumer's JoinGroup metadata. */
function subscription(...topics: string[]): Buffer {
  const names = topics.map((topic) => Buffer.from(topic))
  const head = Buffer.alloc(6)
  head.writeInt16BE(0, 0)
  head.writeInt32BE(topics.length, 2)
  const parts = names.flatMap((name) => {
    const length = Buffer.alloc(2)
    length.writeInt16BE(name.length)
    return [length, name]
  })
  return Buffer.concat([head, ...parts, Buffer.from([0xff, 0xff, 0xff, 0xff])])
}

/** The error codes a ResponseError carries (the client throws on any non-zero code). */
async function errorCodesOf(pending: Promise<unknown>): Promise<{codes: number[]; response: unknown}> {
  try {
    await pending
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error
    const errors = (error as unknown as {errors: Array<{apiCode: number}>}).errors
    return {codes: errors.map((each) => each.apiCode), response: (error as unknown as {response: unknown}).response}
  }
  throw new Error('expected the broker to answer with an error code')
}

describe('the group APIs at @platformatic/kafka protocol versions', {timeout: 120_000}, () => {
  it('finds the coordinator, runs a generation, commits, fetches, lists, describes, deletes offsets and the group', async () => {
    await seedTopic('plat-raw', 2, 10)
    await seedTopic('plat-raw-other', 1, 1)
    const connection = new Connection('plat-raw-client')
    await connection.connect(host, port)
    try {
      const found = await findCoordinatorV4.api.async(connection, 0, ['plat-raw-group', 'another-group'])
      expect(found.coordinators).toEqual([
        expect.objectContaining({key: 'plat-raw-group', host, port, errorCode: 0, errorMessage: null}),
        expect.objectContaining({key: 'another-group', host, port, errorCode: 0}),
      ])

      // v4+: the first join hands out a member id; the second completes generation 1.
      const protocols = [{name: 'roundrobin', metadata: subscription('plat-raw')}]
      const first = await errorCodesOf(
        joinGroupV9.api.async(connection, 'plat-raw-group', 10_000, 10_000, '', null, 'consumer', protocols, 'test'),
      )
      expect(first.codes).toEqual([KafkaErrors.MEMBER_ID_REQUIRED.code])
      const memberId = (first.response as {memberId: string}).memberId
      const joined = await joinGroupV9.api.async(
        connection,
        'plat-raw-group',
        10_000,
        10_000,
        memberId,
        null,
        'consumer',
        protocols,
        null,
      )
      expect(joined).toMatchObject({
        generationId: 1,
        protocolType: 'consumer',
        protocolName: 'roundrobin',
        leader: memberId,
        skipAssignment: false,
        memberId,
        members: [{memberId, groupInstanceId: null, metadata: subscription('plat-raw')}],
      })
      const synced = await syncGroupV5.api.async(
        connection,
        'plat-raw-group',
        1,
        memberId,
        null,
        'consumer',
        'roundrobin',
        [{memberId, assignment: Buffer.from('both partitions')}],
      )
      expect(synced).toMatchObject({protocolType: 'consumer', protocolName: 'roundrobin'})
      expect(Buffer.from(synced.assignment)).toEqual(Buffer.from('both partitions'))
      expect((await heartbeatV4.api.async(connection, 'plat-raw-group', 1, memberId, null)).errorCode).toBe(0)

      const partitions = (offsets: number[]) =>
        offsets.map((offset, partitionIndex) => ({
          partitionIndex,
          committedOffset: BigInt(offset),
          committedLeaderEpoch: -1,
        }))
      const committed = await offsetCommitV8.api.async(connection, 'plat-raw-group', 1, memberId, null, [
        {name: 'plat-raw', partitions: partitions([3, 4])},
        {name: 'plat-raw-other', partitions: partitions([1])},
      ])
      expect(committed.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode))).toEqual([
        0, 0, 0,
      ])

      // v8 asks for two groups at once; one has committed nothing.
      const fetched = await offsetFetchV8.api.async(
        connection,
        [
          {groupId: 'plat-raw-group', memberEpoch: -1, topics: null},
          {groupId: 'nobody', memberEpoch: -1, topics: [{name: 'plat-raw', partitionIndexes: [0]}]},
        ],
        true,
      )
      const offsetsOf = (groupId: string) =>
        Object.fromEntries(
          fetched.groups
            .find((group) => group.groupId === groupId)!
            .topics.flatMap((topic) =>
              topic.partitions.map((partition) => [
                `${topic.name}/${partition.partitionIndex}`,
                partition.committedOffset,
              ]),
            ),
        )
      expect(offsetsOf('plat-raw-group')).toEqual({'plat-raw/0': 3n, 'plat-raw/1': 4n, 'plat-raw-other/0': 1n})
      expect(offsetsOf('nobody')).toEqual({'plat-raw/0': -1n})

      const listed = await listGroupsV4.api.async(connection, ['STABLE'], [])
      expect(listed.groups).toContainEqual({groupId: 'plat-raw-group', protocolType: 'consumer', groupState: 'Stable'})
      expect(
        (await listGroupsV4.api.async(connection, ['EMPTY'], [])).groups.map((group) => group.groupId),
      ).not.toContain('plat-raw-group')
      const described = await describeGroupsV5.api.async(connection, ['plat-raw-group'], true)
      expect(described.groups[0]).toMatchObject({
        groupId: 'plat-raw-group',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'roundrobin',
        members: [{memberId, groupInstanceId: null, clientId: 'plat-raw-client'}],
      })

      // While the member is subscribed to plat-raw, its offsets stay; plat-raw-other's go.
      const whileLive = await errorCodesOf(
        offsetDeleteV0.api.async(connection, 'plat-raw-group', [
          {name: 'plat-raw', partitions: [{partitionIndex: 0}]},
          {name: 'plat-raw-other', partitions: [{partitionIndex: 0}]},
        ]),
      )
      expect(whileLive.codes).toEqual([KafkaErrors.GROUP_SUBSCRIBED_TO_TOPIC.code])
      await expect(
        errorCodesOf(deleteGroupsV2.api.async(connection, ['plat-raw-group'])).then((result) => result.codes),
      ).resolves.toEqual([KafkaErrors.NON_EMPTY_GROUP.code])

      const left = await leaveGroupV5.api.async(connection, 'plat-raw-group', [{memberId, reason: 'done'}])
      expect(left.members).toEqual([{memberId, groupInstanceId: null, errorCode: 0}])
      // Empty now: its offsets may go, and the deletion outlives a restart.
      const deleted = await offsetDeleteV0.api.async(connection, 'plat-raw-group', [
        {name: 'plat-raw', partitions: [{partitionIndex: 0}]},
      ])
      expect(deleted.topics).toEqual([{name: 'plat-raw', partitions: [{partitionIndex: 0, errorCode: 0}]}])
    } finally {
      await connection.close()
    }

    await broker.restart()
    const after = new Connection('plat-raw-client')
    await after.connect(host, port)
    try {
      const fetched = await offsetFetchV8.api.async(
        after,
        [{groupId: 'plat-raw-group', memberEpoch: -1, topics: null}],
        false,
      )
      expect(
        fetched.groups[0]!.topics.flatMap((topic) =>
          topic.partitions.map((partition) => `${topic.name}/${partition.partitionIndex}=${partition.committedOffset}`),
        ).sort(),
      ).toEqual(['plat-raw/1=4'])
      const gone = await deleteGroupsV2.api.async(after, ['plat-raw-group'])
      expect(gone.results).toEqual([{groupId: 'plat-raw-group', errorCode: 0}])
      const unknown = await errorCodesOf(offsetDeleteV0.api.async(after, 'plat-raw-group', []))
      expect(unknown.codes).toEqual([KafkaErrors.GROUP_ID_NOT_FOUND.code])
    } finally {
      await after.close()
    }
  })
  it('keeps a static member (group instance id) in its generation across a restart, and fences the old incarnation', async () => {
    const connection = new Connection('plat-static')
    await connection.connect(host, port)
    try {
      const protocols = [{name: 'roundrobin', metadata: subscription('plat-raw')}]
      const join = (memberId: string) =>
        joinGroupV9.api.async(
          connection,
          'plat-static',
          10_000,
          10_000,
          memberId,
          'instance-1',
          'consumer',
          protocols,
          null,
        )
      // No MEMBER_ID_REQUIRED round for a static member.
      const first = await join('')
      expect(first).toMatchObject({generationId: 1, leader: first.memberId})
      await syncGroupV5.api.async(
        connection,
        'plat-static',
        1,
        first.memberId!,
        'instance-1',
        'consumer',
        'roundrobin',
        [{memberId: first.memberId!, assignment: Buffer.from('p0')}],
      )
      const again = await join('')
      expect(again).toMatchObject({generationId: 1, leader: again.memberId, skipAssignment: true})
      expect(again.memberId).not.toBe(first.memberId)
      const synced = await syncGroupV5.api.async(
        connection,
        'plat-static',
        1,
        again.memberId!,
        'instance-1',
        null,
        null,
        [],
      )
      expect(Buffer.from(synced.assignment)).toEqual(Buffer.from('p0'))
      const stale = await errorCodesOf(
        heartbeatV4.api.async(connection, 'plat-static', 1, first.memberId!, 'instance-1'),
      )
      expect(stale.codes).toEqual([KafkaErrors.FENCED_INSTANCE_ID.code])
      const left = await leaveGroupV5.api.async(connection, 'plat-static', [
        {memberId: '', groupInstanceId: 'instance-1'},
      ])
      expect(left.members).toEqual([{memberId: '', groupInstanceId: 'instance-1', errorCode: 0}])
      const [described] = (await describeGroupsV5.api.async(connection, ['plat-static'], false)).groups
      expect(described).toMatchObject({groupState: 'Empty', members: []})
    } finally {
      await connection.close()
    }
  })
  it('answers UNSTABLE_OFFSET_COMMIT to requireStable while a transaction holds the offset, and the offset once it commits', async () => {
    await seedTopic('plat-stable', 1, 1)
    const producer = kafka.producer({transactionalId: 'plat-stable-txn', maxInFlightRequests: 1, idempotent: true})
    await producer.connect()
    const connection = new Connection('plat-stable')
    await connection.connect(host, port)
    try {
      const fetchOffset = (requireStable: boolean) =>
        offsetFetchV8.api.async(
          connection,
          [{groupId: 'plat-stable-group', memberEpoch: -1, topics: [{name: 'plat-stable', partitionIndexes: [0]}]}],
          requireStable,
        )
      const txn = await producer.transaction()
      await txn.sendOffsets({
        consumerGroupId: 'plat-stable-group',
        topics: [{topic: 'plat-stable', partitions: [{partition: 0, offset: '1'}]}],
      })
      const unstable = await errorCodesOf(fetchOffset(true))
      expect(unstable.codes).toEqual([KafkaErrors.UNSTABLE_OFFSET_COMMIT.code])
      // Without requireStable the last committed offset (none yet) is the answer.
      expect((await fetchOffset(false)).groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(-1n)
      await txn.commit()
      expect((await fetchOffset(true)).groups[0]!.topics[0]!.partitions[0]).toMatchObject({
        committedOffset: 1n,
        errorCode: 0,
      })
    } finally {
      await connection.close()
      await producer.disconnect()
    }
  })
})

// The client's Consumer and Admin bootstrap with Metadata v9+, and its MessagesStream fetches by
// topic id (Fetch v13+): these pass once the broker serves those (the data-path work), and fail
// with "No usable implementation found for API Metadata" before.
describe('a @platformatic/kafka consumer group and admin', {timeout: 120_000}, () => {
  const topic = 'plat-group-topic'
  const newMember = (name: string) =>
    new Consumer({
      groupId: 'plat-group',
      clientId: `plat-${name}`,
      bootstrapBrokers: broker.brokers,
      deserializers: stringDeserializers,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    })
  const assigned = (consumer: Consumer<string, string, string, string>) =>
    (consumer.assignments ?? []).flatMap((assignment) => assignment.partitions).length

  it('shares six partitions among three members, rebalances when one leaves; commits, lag, list, describe, offset and group deletion', async () => {
    await seedTopic(topic, 6, 60)
    const members = ['a', 'b', 'c'].map(newMember)
    const admin = new Admin({clientId: 'plat-admin', bootstrapBrokers: broker.brokers})
    try {
      await Promise.all(
        members.map((member) => {
          member.topics.trackAll(topic)
          return member.joinGroup({})
        }),
      )
      await waitFor(() => members.every((member) => assigned(member) === 2), 'two partitions each')
      const described = (await admin.describeGroups({groups: ['plat-group']})).get('plat-group')!
      expect(described).toMatchObject({state: 'STABLE', protocolType: 'consumer'})
      expect([...described.members.values()].map((member) => member.clientId).sort()).toEqual([
        'plat-a',
        'plat-b',
        'plat-c',
      ])
      expect((await admin.listGroups({states: ['STABLE']})).get('plat-group')).toMatchObject({protocolType: 'consumer'})

      // One member leaves: the other two take its partitions.
      await members[2]!.close()
      await waitFor(
        () => members.slice(0, 2).every((member) => assigned(member) === 3),
        'three each after the rebalance',
      )
      expect((await admin.describeGroups({groups: ['plat-group']})).get('plat-group')!.members.size).toBe(2)

      // Each member commits the end of its partitions, as if it had read them: the group has no lag.
      const [latest] = await admin.listOffsets({
        topics: [
          {name: topic, partitions: [0, 1, 2, 3, 4, 5].map((partitionIndex) => ({partitionIndex, timestamp: -1n}))},
        ],
      })
      const end = new Map(latest!.partitions.map((partition) => [partition.partitionIndex, partition.offset]))
      expect([...end.values()].reduce((sum, offset) => sum + offset, 0n)).toBe(60n)
      for (const member of members.slice(0, 2))
        await member.commit({
          offsets: member.assignments!.flatMap((assignment) =>
            assignment.partitions.map((partition) => ({topic, partition, offset: end.get(partition)!, leaderEpoch: 0})),
          ),
        })
      const committed = async () =>
        new Map(
          (await admin.listConsumerGroupOffsets({groups: ['plat-group']}))[0]!.topics
            .find((each) => each.name === topic)!
            .partitions.filter((partition) => partition.committedOffset >= 0n)
            .map((partition) => [partition.partitionIndex, partition.committedOffset]),
        )
      const committedNow = await committed()
      expect([...end].map(([partition, offset]) => offset - (committedNow.get(partition) ?? 0n))).toEqual([
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
      ])

      // While members subscribe to the topic, neither its offsets nor the group may go.
      await expect(
        admin.deleteConsumerGroupOffsets({groupId: 'plat-group', topics: [{name: topic, partitionIndexes: [0]}]}),
      ).rejects.toThrow()
      await expect(admin.deleteGroups({groups: ['plat-group']})).rejects.toThrow()
      await Promise.all(members.slice(0, 2).map((member) => member.close()))
      await waitFor(async () => (await admin.listGroups({states: ['EMPTY']})).has('plat-group'), 'an empty group')
      await admin.deleteConsumerGroupOffsets({groupId: 'plat-group', topics: [{name: topic, partitionIndexes: [0]}]})
      expect([...(await committed()).keys()].sort()).toEqual([1, 2, 3, 4, 5])
      await admin.deleteGroups({groups: ['plat-group']})
      expect((await admin.listGroups()).has('plat-group')).toBe(false)
    } finally {
      await admin.close()
      for (const member of members) if (member.isActive()) await member.close(true)
    }
  })

  it('delivers every record once to a group of two consuming with autocommit', async () => {
    const streamed = 'plat-stream-topic'
    await seedTopic(streamed, 4, 40)
    const members = ['x', 'y'].map(newMember)
    const received: string[] = []
    try {
      for (const member of members) {
        const stream = await member.consume({topics: [streamed], mode: 'earliest', autocommit: 100})
        stream.on('data', (message) => received.push(message.value))
      }
      await waitFor(() => received.length >= 40, 'all 40 records')
      expect(new Set(received).size).toBe(40)
      expect(received).toHaveLength(40)
    } finally {
      await Promise.all(members.map((member) => member.close(true)))
    }
  })
})
