// kafkajs against the embedded broker, started as a real process: producer acks and compression,
// a three-member consumer group, rebalancing, committed offsets across a restart, and admin calls.
import {CompressionTypes, Kafka, logLevel, type Consumer, type EachMessagePayload} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBrokerProcess, waitFor, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({
    brokers: broker.brokers,
    clientId: 'broker-test',
    logLevel: logLevel.NOTHING,
    retry: {retries: 10, initialRetryTime: 100},
  })
})
afterAll(async () => {
  await broker?.cleanup()
})

const messages = (prefix: string, count: number) =>
  Array.from({length: count}, (_, index) => ({key: `${prefix}-key-${index}`, value: `${prefix}-${index}`}))

describe('kafkajs producer', {timeout: 120_000}, () => {
  it('acknowledges with acks -1 and 1, fires and forgets with acks 0, and round-trips gzip batches', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'produce-acks', numPartitions: 2}], waitForLeaders: true})
    const producer = kafka.producer()
    await producer.connect()
    const all = await producer.send({topic: 'produce-acks', acks: -1, messages: messages('all', 20)})
    const leader = await producer.send({topic: 'produce-acks', acks: 1, messages: messages('one', 20)})
    const none = await producer.send({topic: 'produce-acks', acks: 0, messages: messages('none', 20)})
    await producer.send({
      topic: 'produce-acks',
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: messages('gzip', 50),
    })
    expect(all.every((result) => result.errorCode === 0)).toBe(true)
    expect(leader.every((result) => result.errorCode === 0)).toBe(true)
    expect(none).toEqual([])
    // acks=0 has no answer to wait for: the records show up in the offsets.
    await waitFor(
      async () =>
        (await admin.fetchTopicOffsets('produce-acks')).reduce((sum, partition) => sum + Number(partition.high), 0) ===
        110,
      'all 110 records',
    )

    const consumer = kafka.consumer({groupId: 'produce-acks-reader', maxWaitTimeInMs: 200})
    await consumer.connect()
    await consumer.subscribe({topic: 'produce-acks', fromBeginning: true})
    const seen: string[] = []
    await consumer.run({eachMessage: async ({message}) => void seen.push(message.value!.toString())})
    await waitFor(() => seen.length >= 110, 'consuming 110 records')
    await consumer.disconnect()
    expect(seen.filter((value) => value.startsWith('gzip-')).sort()).toEqual(
      messages('gzip', 50)
        .map((message) => message.value)
        .sort(),
    )
    expect(new Set(seen).size).toBe(110)
    await producer.disconnect()
    await admin.disconnect()
  })
})

describe('kafkajs consumer group', {timeout: 120_000}, () => {
  const topic = 'group-six'
  const groupId = 'group-six-readers'

  interface Member {
    consumer: Consumer
    received: Array<{partition: number; offset: string; value: string}>
    assignment: number[]
  }

  async function startMember(): Promise<Member> {
    const consumer = kafka.consumer({groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200})
    const member: Member = {consumer, received: [], assignment: []}
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      member.assignment = event.payload.memberAssignment[topic] ?? []
    })
    await consumer.connect()
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({
      eachMessage: async ({partition, message}: EachMessagePayload) => {
        member.received.push({partition, offset: message.offset, value: message.value!.toString()})
      },
    })
    return member
  }

  const values = (members: Member[], prefix: string) =>
    members
      .flatMap((member) => member.received.map((record) => record.value))
      .filter((value) => value.startsWith(prefix))

  it('shares six partitions among three members, delivers every record once, rebalances when one leaves, and resumes from committed offsets after a broker restart', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic, numPartitions: 6}]})
    const members = [await startMember(), await startMember(), await startMember()]
    await waitFor(async () => {
      const {groups} = await admin.describeGroups([groupId])
      return (
        groups[0]!.state === 'Stable' &&
        groups[0]!.members.length === 3 &&
        members.every((member) => member.assignment.length === 2)
      )
    }, 'a stable group of three')
    expect(members.flatMap((member) => member.assignment).sort()).toEqual([0, 1, 2, 3, 4, 5])

    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic, messages: messages('first', 300)})
    await waitFor(() => values(members, 'first-').length >= 300, 'the first 300 records')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const first = values(members, 'first-')
    expect(first.length).toBe(300)
    expect(new Set(first).size).toBe(300)
    for (const member of members) expect(member.received.length).toBeGreaterThan(0)

    // One member leaves: the other two take over all six partitions.
    const [leaving, ...staying] = members as [Member, Member, Member]
    await leaving.consumer.disconnect()
    await waitFor(async () => {
      const {groups} = await admin.describeGroups([groupId])
      return (
        groups[0]!.state === 'Stable' &&
        groups[0]!.members.length === 2 &&
        staying.every((member) => member.assignment.length === 3)
      )
    }, 'a rebalance to two members')
    expect(staying.flatMap((member) => member.assignment).sort()).toEqual([0, 1, 2, 3, 4, 5])
    await producer.send({topic, messages: messages('second', 120)})
    await waitFor(() => values(staying, 'second-').length >= 120, 'the second 120 records')
    expect(new Set(values(staying, 'second-')).size).toBe(120)
    expect(values([leaving], 'second-')).toEqual([])
    for (const member of staying) await member.consumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()

    // Committed offsets survive a broker restart: a new member gets only what came after.
    await broker.restart()
    const producerAfter = kafka.producer()
    await producerAfter.connect()
    await producerAfter.send({topic, messages: messages('third', 60)})
    const resumed = await startMember()
    await waitFor(() => resumed.received.length >= 60, 'the third 60 records')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(resumed.received.map((record) => record.value).sort()).toEqual(
      messages('third', 60)
        .map((message) => message.value)
        .sort(),
    )
    await resumed.consumer.disconnect()
    await producerAfter.disconnect()
  })
})

describe('kafkajs admin', {timeout: 120_000}, () => {
  it('creates topics, reads their metadata and offsets by timestamp, and deletes them', async () => {
    const admin = kafka.admin()
    await admin.connect()
    expect(
      await admin.createTopics({
        topics: [
          {topic: 'admin-a', numPartitions: 3, configEntries: [{name: 'retention.ms', value: '3600000'}]},
          {topic: 'admin-b'},
        ],
      }),
    ).toBe(true)
    expect(await admin.createTopics({topics: [{topic: 'admin-a', numPartitions: 3}]})).toBe(false)
    await expect(
      admin.createTopics({topics: [{topic: 'admin-bad', configEntries: [{name: 'no.such.config', value: '1'}]}]}),
    ).rejects.toMatchObject({errors: [expect.objectContaining({type: 'INVALID_CONFIG', topic: 'admin-bad'})]})
    const metadata = await admin.fetchTopicMetadata({topics: ['admin-a', 'admin-b']})
    expect(metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual([
      ['admin-a', 3],
      ['admin-b', 1],
    ])
    const configs = await admin.describeConfigs({
      resources: [{type: 2, name: 'admin-a', configNames: ['retention.ms', 'cleanup.policy']}],
      includeSynonyms: false,
    })
    expect(
      Object.fromEntries(configs.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue])),
    ).toEqual({'retention.ms': '3600000', 'cleanup.policy': 'delete'})
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2,
          name: 'admin-a',
          configEntries: [
            {name: 'retention.ms', value: '7200000'},
            {name: 'cleanup.policy', value: 'compact'},
          ],
        },
      ],
    })
    const altered = await admin.describeConfigs({
      resources: [{type: 2, name: 'admin-a', configNames: ['retention.ms', 'cleanup.policy']}],
      includeSynonyms: false,
    })
    expect(
      Object.fromEntries(altered.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue])),
    ).toEqual({'retention.ms': '7200000', 'cleanup.policy': 'compact'})
    await admin.createPartitions({topicPartitions: [{topic: 'admin-b', count: 4}]})
    expect((await admin.fetchTopicMetadata({topics: ['admin-b']})).topics[0]!.partitions).toHaveLength(4)

    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic: 'admin-b', messages: [{partition: 0, value: 'early'}]})
    await new Promise((resolve) => setTimeout(resolve, 50))
    const between = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await producer.send({
      topic: 'admin-b',
      messages: [
        {partition: 0, value: 'late-1'},
        {partition: 0, value: 'late-2'},
      ],
    })
    await producer.disconnect()
    const byTime = await admin.fetchTopicOffsetsByTimestamp('admin-b', between)
    expect(byTime.find((partition) => partition.partition === 0)!.offset).toBe('1')
    // A time after every record answers with the end of the log.
    expect(
      (await admin.fetchTopicOffsetsByTimestamp('admin-b', Date.now() + 60_000)).find(
        (partition) => partition.partition === 0,
      )!.offset,
    ).toBe('3')

    await admin.deleteTopics({topics: ['admin-a', 'admin-b']})
    expect((await admin.listTopics()).filter((name) => name.startsWith('admin-'))).toEqual([])
    await admin.disconnect()
  })

  it('deletes an empty group with its committed offsets, for good; refuses one with members and one it does not know', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'delete-groups', numPartitions: 2}]})
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic: 'delete-groups', messages: messages('dg', 10)})
    await producer.disconnect()
    const consume = async (groupId: string) => {
      const consumer = kafka.consumer({groupId, maxWaitTimeInMs: 100})
      let received = 0
      await consumer.connect()
      await consumer.subscribe({topic: 'delete-groups', fromBeginning: true})
      await consumer.run({eachMessage: async () => void received++})
      await waitFor(() => received >= 10, `${groupId} to read the topic`)
      return consumer
    }
    const finished = await consume('dg-finished')
    const live = await consume('dg-live')
    await finished.disconnect()
    await waitFor(
      async () =>
        (await admin.fetchOffsets({groupId: 'dg-finished', topics: ['delete-groups']}))[0]!.partitions.some(
          (partition) => partition.offset !== '-1',
        ),
      'committed offsets',
    )

    expect(await admin.deleteGroups(['dg-finished'])).toEqual([
      expect.objectContaining({groupId: 'dg-finished', errorCode: 0}),
    ])
    await expect(admin.deleteGroups(['dg-live'])).rejects.toMatchObject({
      groups: [
        expect.objectContaining({groupId: 'dg-live', error: expect.objectContaining({type: 'NON_EMPTY_GROUP'})}),
      ],
    })
    await expect(admin.deleteGroups(['dg-never'])).rejects.toMatchObject({
      groups: [
        expect.objectContaining({groupId: 'dg-never', error: expect.objectContaining({type: 'GROUP_ID_NOT_FOUND'})}),
      ],
    })
    const listed = async () =>
      (await admin.listGroups()).groups
        .map((group) => group.groupId)
        .filter((groupId) => groupId.startsWith('dg-'))
        .sort()
    expect(await listed()).toEqual(['dg-live'])
    expect(
      (await admin.fetchOffsets({groupId: 'dg-finished', topics: ['delete-groups']}))[0]!.partitions.map(
        (partition) => partition.offset,
      ),
    ).toEqual(['-1', '-1'])
    await live.disconnect()
    await admin.disconnect()

    // The deletion is in the group journal: a restarted broker does not bring the group back.
    await broker.restart()
    const after = kafka.admin()
    await after.connect()
    expect(
      (await after.listGroups()).groups.map((group) => group.groupId).filter((groupId) => groupId === 'dg-finished'),
    ).toEqual([])
    await after.disconnect()
  })
})
