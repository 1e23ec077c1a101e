// `streamctl topics …` and `streamctl groups …` through the built CLI against the embedded broker
// started as a real process; kafkajs and kcat (librdkafka) as the independent clients.
import {execa} from 'execa'
import {Kafka, logLevel, type Consumer} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {commitGroupOffsets} from '../../src/lib/kafka/group-commit.js'
import type {GroupDescription} from '../../src/lib/kafka/groups.js'
import type {SeekResult} from '../../src/lib/kafka/seek.js'
import type {TopicDescription, TopicSummary} from '../../src/lib/kafka/topics.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {runCli} from '../helpers/cli.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({
    brokers: broker.brokers,
    clientId: 'admin-test',
    logLevel: logLevel.NOTHING,
    retry: {retries: 10, initialRetryTime: 100},
  })
})
afterAll(async () => {
  await broker?.cleanup()
})

const cli = async (args: string[]) => {
  const result = await runCli([...args, '--brokers', broker.bootstrap, '--json'])
  return {...result, json: result.stdout.trim() ? (JSON.parse(result.stdout) as unknown) : undefined}
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Committed offsets of a group on a topic, read with kafkajs's own admin (not the code under test). */
async function committed(group: string, topic: string): Promise<number[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [offsets] = await admin.fetchOffsets({groupId: group, topics: [topic]})
    return offsets!.partitions.sort((a, b) => a.partition - b.partition).map((partition) => Number(partition.offset))
  } finally {
    await admin.disconnect()
  }
}

/** Reads `count` records as group `group` and returns them in arrival order; leaves the group empty. */
async function consumeAsGroup(
  group: string,
  topic: string,
  count: number,
): Promise<Array<{partition: number; offset: number; value: string}>> {
  const consumer: Consumer = kafka.consumer({groupId: group, maxWaitTimeInMs: 200})
  const seen: Array<{partition: number; offset: number; value: string}> = []
  await consumer.connect()
  await consumer.subscribe({topic, fromBeginning: true})
  await consumer.run({
    eachMessage: async ({partition, message}) =>
      void seen.push({partition, offset: Number(message.offset), value: message.value!.toString()}),
  })
  await waitFor(() => seen.length >= count, `${count} records for ${group}`)
  await consumer.disconnect()
  return seen
}

describe('streamctl topics', {timeout: 180_000}, () => {
  it('creates, describes, lists and deletes a topic', async () => {
    const created = await cli(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000'])
    expect(created.exitCode, created.stderr).toBe(0)
    const again = await cli(['topics', 'create', 'orders'])
    expect(again.exitCode).toBe(1)
    expect(again.json).toMatchObject({error: {code: 'TOPIC_EXISTS', message: 'topic "orders" already exists'}})

    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'orders',
      messages: Array.from({length: 7}, (_, index) => ({partition: 1, value: `order-${index}`})),
    })
    await producer.disconnect()

    const described = await cli(['topics', 'describe', 'orders'])
    expect(described.exitCode, described.stderr).toBe(0)
    const topic = described.json as TopicDescription
    expect(topic).toMatchObject({name: 'orders', partitions: 3, replication: 1, messages: 7})
    expect(
      topic.partitionDetails.map((partition) => [partition.partition, partition.earliest, partition.latest]),
    ).toEqual([
      [0, 0, 0],
      [1, 0, 7],
      [2, 0, 0],
    ])
    expect(topic.configs).toContainEqual(
      expect.objectContaining({name: 'retention.ms', value: '3600000', override: true}),
    )

    const human = await runCli(['topics', 'describe', 'orders', '--brokers', broker.bootstrap])
    expect(human.stdout).toContain('topic orders: 3 partitions, replication 1, 7 records')
    expect(human.stdout).toMatch(/retention\.ms\s+3600000/)

    const listed = await cli(['topics', 'list'])
    expect((listed.json as {topics: TopicSummary[]}).topics).toContainEqual({
      name: 'orders',
      partitions: 3,
      replication: 1,
      messages: 7,
    })

    const deleted = await cli(['topics', 'delete', 'orders'])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.json).toEqual({deleted: ['orders']})
    const gone = await cli(['topics', 'describe', 'orders'])
    expect(gone.exitCode).toBe(1)
    expect(gone.json).toMatchObject({error: {code: 'TOPIC_NOT_FOUND'}})
  })

  it('names a bad --brokers value and exits 2; an unreachable broker exits 3', async () => {
    const bad = await runCli(['topics', 'list', '--brokers', 'localhost', '--json'])
    expect(bad.exitCode).toBe(2)
    expect(JSON.parse(bad.stdout)).toMatchObject({
      error: {code: 'INVALID_FLAG', message: '--brokers: "localhost" is not host:port'},
    })
    const down = await runCli(['topics', 'list', '--brokers', '127.0.0.1:1'])
    expect(down.exitCode).toBe(3)
    expect(down.stderr).toContain('Error [KAFKA_UNAVAILABLE]: no Kafka broker answers at 127.0.0.1:1')
  })
})

describe('streamctl groups seek', {timeout: 180_000}, () => {
  // Records before the seek time (batch "old") and at or after it ("new"), 3 of each per partition.
  const seekTime = Date.now() - 60_000
  const isoSeekTime = new Date(seekTime).toISOString()

  beforeAll(async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'events', numPartitions: 2}], waitForLeaders: true})
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    for (const partition of [0, 1]) {
      await producer.send({
        topic: 'events',
        messages: [
          ...[0, 1, 2].map((index) => ({
            partition,
            value: `old-${partition}-${index}`,
            timestamp: String(seekTime - 30_000 + index * 1000),
          })),
          ...[0, 1, 2].map((index) => ({
            partition,
            value: `new-${partition}-${index}`,
            timestamp: String(seekTime + index * 1000),
          })),
        ],
      })
    }
    await producer.disconnect()
    // The group reads everything once, commits, and stops.
    expect(await consumeAsGroup('readers', 'events', 12)).toHaveLength(12)
  })

  it('plans a seek to a time without committing, then moves the stopped group so kafkajs resumes at the first record at or after it', async () => {
    await waitFor(
      async () => (await committed('readers', 'events')).every((offset) => offset === 6),
      'offsets 6 committed',
    )

    const dryRun = await cli(['groups', 'seek', 'readers', '--to', isoSeekTime])
    expect(dryRun.exitCode, dryRun.stderr).toBe(0)
    const plan = dryRun.json as SeekResult
    expect(plan.executed).toBe(false)
    expect(plan.moves.map((move) => [move.topic, move.partition, move.current, move.target])).toEqual([
      ['events', 0, 6, 3],
      ['events', 1, 6, 3],
    ])
    expect(await committed('readers', 'events')).toEqual([6, 6])

    const executed = await cli(['groups', 'seek', 'readers', '--to', isoSeekTime, '--execute'])
    expect(executed.exitCode, executed.stderr).toBe(0)
    expect((executed.json as SeekResult).executed).toBe(true)
    const described = await cli(['groups', 'describe', 'readers'])
    expect(described.exitCode, described.stderr).toBe(0)
    const moved = described.json as GroupDescription
    expect(moved.state).toBe('Empty')
    expect(moved.offsets.map((offset) => [offset.partition, offset.committed, offset.lag])).toEqual([
      [0, 3, 3],
      [1, 3, 3],
    ])

    const resumed = await consumeAsGroup('readers', 'events', 6)
    for (const partition of [0, 1]) {
      const mine = resumed.filter((record) => record.partition === partition)
      expect(mine.map((record) => record.value)).toEqual([0, 1, 2].map((index) => `new-${partition}-${index}`))
      expect(mine[0]!.offset).toBe(3)
    }
  })

  it('moves the group so a kcat balanced consumer (-G) resumes at the first record at or after the time', async () => {
    await waitFor(
      async () => (await committed('readers', 'events')).every((offset) => offset === 6),
      'offsets back at 6',
    )
    const human = await runCli([
      'groups',
      'seek',
      'readers',
      '--to',
      isoSeekTime,
      '--topic',
      'events',
      '--execute',
      '--brokers',
      broker.bootstrap,
    ])
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toContain(`group readers (Empty) → first record at or after ${isoSeekTime}`)
    expect(human.stdout).toContain('committed 2 offsets for group readers.')
    const kcat = await execa(
      'kcat',
      ['-b', broker.bootstrap, '-G', 'readers', '-e', '-q', '-f', '%p %o %s\\n', 'events'],
      {timeout: 90_000, reject: false},
    )
    expect(kcat.exitCode, kcat.stderr).toBe(0)
    const lines = kcat.stdout.trim().split('\n').sort()
    expect(lines).toEqual(['0 3 new-0-0', '0 4 new-0-1', '0 5 new-0-2', '1 3 new-1-0', '1 4 new-1-1', '1 5 new-1-2'])
  })

  it('refuses a group with live members, in the dry run and when executing, and the broker refuses the commit too', async () => {
    const consumer = kafka.consumer({groupId: 'live-readers', maxWaitTimeInMs: 200})
    let joined = false
    consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true))
    await consumer.connect()
    await consumer.subscribe({topic: 'events', fromBeginning: true})
    await consumer.run({eachMessage: async () => {}})
    try {
      await waitFor(() => joined, 'the consumer to join')
      for (const extra of [[], ['--execute']]) {
        const refused = await cli(['groups', 'seek', 'live-readers', '--to', 'earliest', '--topic', 'events', ...extra])
        expect(refused.exitCode).toBe(1)
        expect(refused.json).toMatchObject({
          error: {
            code: 'GROUP_ACTIVE',
            message: expect.stringContaining('consumer group "live-readers" has 1 live member (state Stable)'),
          },
        })
      }
      // Even without our own check, the empty-group commit is one the broker refuses for a live group.
      await expect(
        commitGroupOffsets(kafka, 'live-readers', [{topic: 'events', partition: 0, target: 0, earliest: 0, latest: 6}]),
      ).rejects.toMatchObject({code: 'GROUP_ACTIVE'})
    } finally {
      await consumer.disconnect()
    }
  })

  it('lists the groups with their state', async () => {
    const listed = await cli(['groups', 'list'])
    expect(listed.exitCode, listed.stderr).toBe(0)
    expect((listed.json as {groups: Array<{group: string; state: string; members: number}>}).groups).toContainEqual({
      group: 'readers',
      protocolType: 'consumer',
      state: 'Empty',
      members: 0,
    })
    const unknown = await cli(['groups', 'describe', 'nobody'])
    expect(unknown.exitCode).toBe(1)
    expect(unknown.json).toMatchObject({error: {code: 'GROUP_NOT_FOUND'}})
  })
})
