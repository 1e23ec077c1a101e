// Transactions (KIP-98) against the broker process, with real clients: kafkajs's transactional
// producer (commit, abort, sendOffsets, fencing) and read_committed / read_uncommitted consumers;
// kcat (librdkafka) producing in a transaction and reading committed data only; and a kill -9
// during an open transaction, which the restarted broker aborts on its timeout without losing any
// acknowledged record.
import {execa} from 'execa'
import {Kafka, logLevel, type Producer} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess({args: ['--fsync', 'always']})
  kafka = client(broker)
})
afterAll(async () => {
  await broker?.cleanup()
})

function client(target: BrokerProcess): Kafka {
  return new Kafka({
    brokers: target.brokers,
    clientId: 'txn-test',
    logLevel: logLevel.NOTHING,
    retry: {retries: 3, initialRetryTime: 100},
  })
}

async function createTopic(target: Kafka, topic: string, numPartitions = 1): Promise<void> {
  const admin = target.admin()
  await admin.connect()
  await admin.createTopics({topics: [{topic, numPartitions}]})
  await admin.disconnect()
}

async function transactional(target: Kafka, transactionalId: string, transactionTimeout = 30_000): Promise<Producer> {
  const producer = target.producer({transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout})
  await producer.connect()
  return producer
}

async function inTransaction(producer: Producer, topic: string, values: string[], commit: boolean): Promise<void> {
  const txn = await producer.transaction()
  await txn.send({topic, messages: values.map((value) => ({value}))})
  if (commit) await txn.commit()
  else await txn.abort()
}

/** Appends a plain record to every partition after everything else and reads the topic until each arrives. */
async function readUntilSentinel(target: Kafka, topic: string, readUncommitted: boolean): Promise<string[]> {
  const sentinel = `sentinel-${Math.random().toString(36).slice(2)}`
  const admin = target.admin()
  await admin.connect()
  const [metadata] = (await admin.fetchTopicMetadata({topics: [topic]})).topics
  await admin.disconnect()
  const partitions = metadata!.partitions.map((partition) => partition.partitionId)
  const plain = target.producer()
  await plain.connect()
  await plain.send({topic, messages: partitions.map((partition) => ({partition, value: sentinel}))})
  await plain.disconnect()
  const consumer = target.consumer({
    groupId: `reader-${Math.random().toString(36).slice(2)}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  })
  await consumer.connect()
  await consumer.subscribe({topic, fromBeginning: true})
  const values: string[] = []
  const waiting = new Set(partitions)
  let seen!: () => void
  const done = new Promise<void>((resolve) => (seen = resolve))
  await consumer.run({
    eachMessage: async ({partition, message}) => {
      const value = message.value!.toString()
      if (value === sentinel) {
        waiting.delete(partition)
        if (waiting.size === 0) seen()
      } else if (!value.startsWith('sentinel-')) values.push(value)
    },
  })
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no ${sentinel} in every partition of ${topic} within 30 s`)), 30_000).unref(),
  )
  await Promise.race([done, timeout])
  await consumer.disconnect()
  return values
}

async function committedOffset(target: Kafka, groupId: string, topic: string): Promise<string> {
  const admin = target.admin()
  await admin.connect()
  const [entry] = await admin.fetchOffsets({groupId, topics: [topic]})
  await admin.disconnect()
  return entry!.partitions[0]!.offset
}

async function kcat(args: string[], input?: string): Promise<string> {
  const result = await execa('kcat', ['-b', broker.bootstrap, ...args], {input, timeout: 30_000, reject: false})
  if (result.exitCode !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
  return String(result.stdout)
}

const range = (prefix: string, count: number) => Array.from({length: count}, (_, index) => `${prefix}-${index}`)

describe('transactions with kafkajs', {timeout: 120_000}, () => {
  it('read_committed sees committed transactions only; read_uncommitted sees aborted records too', async () => {
    await createTopic(kafka, 'txn-visibility', 2)
    const producer = await transactional(kafka, 'visibility')
    await inTransaction(producer, 'txn-visibility', range('committed-a', 20), true)
    await inTransaction(producer, 'txn-visibility', range('aborted', 20), false)
    await inTransaction(producer, 'txn-visibility', range('committed-b', 20), true)
    await producer.disconnect()
    const committed = await readUntilSentinel(kafka, 'txn-visibility', false)
    expect(committed.sort()).toEqual([...range('committed-a', 20), ...range('committed-b', 20)].sort())
    const everything = await readUntilSentinel(kafka, 'txn-visibility', true)
    expect(everything.sort()).toEqual(
      [...range('committed-a', 20), ...range('aborted', 20), ...range('committed-b', 20)].sort(),
    )
  })

  it('holds read_committed consumers at an open transaction until it commits', async () => {
    await createTopic(kafka, 'txn-open')
    const producer = await transactional(kafka, 'open')
    const txn = await producer.transaction()
    await txn.send({topic: 'txn-open', messages: range('pending', 5).map((value) => ({value}))})
    const admin = kafka.admin()
    await admin.connect()
    // kafkajs asks for the latest offset with read_committed: the last stable offset, before the transaction.
    expect((await admin.fetchTopicOffsets('txn-open'))[0]!.offset).toBe('0')
    await txn.commit()
    expect((await admin.fetchTopicOffsets('txn-open'))[0]!.offset).toBe('6') // 5 records and the commit marker
    await admin.disconnect()
    await producer.disconnect()
    expect(await readUntilSentinel(kafka, 'txn-open', false)).toEqual(range('pending', 5))
  })

  it("sendOffsets changes the group's committed offset only when the transaction commits", async () => {
    await createTopic(kafka, 'txn-offsets-in')
    await createTopic(kafka, 'txn-offsets-out')
    const producer = await transactional(kafka, 'offsets')
    const offsets = (offset: string) => ({
      consumerGroupId: 'txn-offsets-group',
      topics: [{topic: 'txn-offsets-in', partitions: [{partition: 0, offset}]}],
    })
    let txn = await producer.transaction()
    await txn.send({topic: 'txn-offsets-out', messages: [{value: 'first'}]})
    await txn.sendOffsets(offsets('10'))
    await txn.commit()
    expect(await committedOffset(kafka, 'txn-offsets-group', 'txn-offsets-in')).toBe('10')
    txn = await producer.transaction()
    await txn.send({topic: 'txn-offsets-out', messages: [{value: 'second'}]})
    await txn.sendOffsets(offsets('20'))
    expect(await committedOffset(kafka, 'txn-offsets-group', 'txn-offsets-in')).toBe('10')
    await txn.abort()
    expect(await committedOffset(kafka, 'txn-offsets-group', 'txn-offsets-in')).toBe('10')
    await producer.disconnect()
  })

  it('a second producer with the same transactional id fences the first', async () => {
    await createTopic(kafka, 'txn-fenced')
    const first = await transactional(kafka, 'fenced')
    const firstTxn = await first.transaction()
    await firstTxn.send({topic: 'txn-fenced', messages: [{value: 'zombie-open'}]})
    const second = await transactional(kafka, 'fenced')
    // kafkajs initialises its transactional id at the first transaction: that fences the first producer.
    const secondTxn = await second.transaction()
    await expect(firstTxn.commit()).rejects.toThrow(/epoch/i)
    await secondTxn.send({topic: 'txn-fenced', messages: [{value: 'winner'}]})
    await secondTxn.commit()
    await first.disconnect()
    await second.disconnect()
    expect(await readUntilSentinel(kafka, 'txn-fenced', false)).toEqual(['winner'])
  })
})

describe('transactions with kcat (librdkafka)', {timeout: 120_000}, () => {
  it('produces in a transaction with -X transactional.id, visible to a read_committed consumer', async () => {
    const lines = range('kcat-txn', 30)
    await kcat(['-P', '-t', 'kcat-txn', '-X', 'transactional.id=kcat-producer'], `${lines.join('\n')}\n`)
    const consumed = await kcat([
      '-C',
      '-t',
      'kcat-txn',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%s\\n',
    ])
    expect(consumed.trim().split('\n')).toEqual(lines)
  })

  it('a read_committed consumer skips an aborted transaction; read_uncommitted does not', async () => {
    await createTopic(kafka, 'kcat-aborted')
    const producer = await transactional(kafka, 'kcat-aborted')
    await inTransaction(producer, 'kcat-aborted', range('before', 3), true)
    await inTransaction(producer, 'kcat-aborted', range('aborted', 3), false)
    await inTransaction(producer, 'kcat-aborted', range('after', 3), true)
    await producer.disconnect()
    const read = async (isolation: string) =>
      (
        await kcat([
          '-C',
          '-t',
          'kcat-aborted',
          '-o',
          'beginning',
          '-e',
          '-q',
          '-X',
          `isolation.level=${isolation}`,
          '-f',
          '%s\\n',
        ])
      )
        .trim()
        .split('\n')
    expect(await read('read_committed')).toEqual([...range('before', 3), ...range('after', 3)])
    expect(await read('read_uncommitted')).toEqual([
      ...range('before', 3),
      ...range('aborted', 3),
      ...range('after', 3),
    ])
  })
})

describe('transactions across a kill -9', {timeout: 120_000}, () => {
  it('aborts the open transaction on its timeout after restart and loses no acknowledged record', async () => {
    const crashed = await startBrokerProcess({args: ['--fsync', 'always']})
    try {
      const target = client(crashed)
      await createTopic(target, 'txn-crash', 2)
      const plain = target.producer()
      await plain.connect()
      const acked: string[] = []
      for (const value of range('plain', 20)) {
        await plain.send({topic: 'txn-crash', acks: -1, messages: [{value}]})
        acked.push(value)
      }
      const producer = await transactional(target, 'crash', 3_000)
      await inTransaction(producer, 'txn-crash', range('committed', 20), true)
      acked.push(...range('committed', 20))
      const open = await producer.transaction()
      await open.send({topic: 'txn-crash', messages: range('open', 20).map((value) => ({value}))})
      expect(await crashed.stop({hard: true})).toBeNull()
      await plain.disconnect()
      await producer.disconnect()
      await crashed.restart()
      const deadline = Date.now() + 30_000
      while (!crashed.logs.some((entry) => entry.msg === 'transaction aborted' && entry.transactionalId === 'crash')) {
        if (Date.now() > deadline) throw new Error('the open transaction was not aborted within 30 s of the restart')
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const committed = await readUntilSentinel(target, 'txn-crash', false)
      expect(committed.sort()).toEqual([...acked].sort())
      const everything = await readUntilSentinel(target, 'txn-crash', true)
      expect(everything.filter((value) => value.startsWith('open-')).sort()).toEqual(range('open', 20).sort())
    } finally {
      await crashed.cleanup()
    }
  })
})
