// What survives the broker process: records and committed offsets across a clean restart and a
// kill -9 with fsync `always`, and a torn tail segment recovered at start.
import {readdir, stat, truncate} from 'node:fs/promises'
import path from 'node:path'
import {Kafka, logLevel} from 'kafkajs'
import {afterEach, describe, expect, it} from 'vitest'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const started: BrokerProcess[] = []
afterEach(async () => {
  for (const broker of started.splice(0)) await broker.cleanup()
})

async function start(args: string[] = []): Promise<{broker: BrokerProcess; kafka: Kafka}> {
  const broker = await startBrokerProcess({args})
  started.push(broker)
  return {broker, kafka: new Kafka({brokers: broker.brokers, clientId: 'durability-test', logLevel: logLevel.NOTHING, retry: {retries: 2, initialRetryTime: 100}})}
}

/** Every value in the topic, read with a fresh consumer from the beginning. */
async function readAll(kafka: Kafka, topic: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({groupId: `reader-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100})
  await consumer.connect()
  await consumer.subscribe({topic, fromBeginning: true})
  const values: string[] = []
  await consumer.run({eachMessage: async ({message}) => void values.push(message.value!.toString())})
  const admin = kafka.admin()
  await admin.connect()
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0)
  await admin.disconnect()
  const deadline = Date.now() + 20_000
  while (values.length < Math.min(total, expected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  await new Promise((resolve) => setTimeout(resolve, 200))
  await consumer.disconnect()
  return values
}

describe('broker durability', {timeout: 120_000}, () => {
  it('keeps records and committed offsets across a clean restart', async () => {
    const {broker, kafka} = await start()
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'restart', numPartitions: 2, configEntries: [{name: 'retention.ms', value: '86400000'}]}]})
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic: 'restart', messages: Array.from({length: 100}, (_, index) => ({key: `k${index}`, value: `v${index}`}))})
    await producer.disconnect()
    await admin.setOffsets({groupId: 'restart-group', topic: 'restart', partitions: [{partition: 0, offset: '7'}, {partition: 1, offset: '3'}]})
    await admin.disconnect()

    expect(await broker.stop()).toBe(0)
    expect(broker.logs.some((entry) => entry.msg === 'broker stopped')).toBe(true)
    await broker.restart()

    const after = kafka.admin()
    await after.connect()
    const offsets = await after.fetchOffsets({groupId: 'restart-group', topics: ['restart']})
    expect(offsets[0]!.partitions.map((partition) => [partition.partition, partition.offset]).sort()).toEqual([
      [0, '7'],
      [1, '3'],
    ])
    const configs = await after.describeConfigs({resources: [{type: 2, name: 'restart', configNames: ['retention.ms']}], includeSynonyms: false})
    expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('86400000')
    await after.disconnect()
    expect((await readAll(kafka, 'restart', 100)).sort()).toEqual(Array.from({length: 100}, (_, index) => `v${index}`).sort())
  })

  it('loses no acknowledged record when killed with -9 during acks=-1 produce with fsync always', async () => {
    const {broker, kafka} = await start(['--fsync', 'always'])
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'crash', numPartitions: 3}]})
    await admin.disconnect()
    const producer = kafka.producer({retry: {retries: 0}})
    await producer.connect()
    const acknowledged: string[] = []
    let stop = false
    const writers = Array.from({length: 4}, async (_, writer) => {
      for (let batch = 0; !stop; batch++) {
        const values = Array.from({length: 20}, (_, index) => `w${writer}-b${batch}-${index}`)
        try {
          await producer.send({topic: 'crash', acks: -1, messages: values.map((value) => ({value}))})
          acknowledged.push(...values)
        } catch {
          return
        }
      }
    })
    while (acknowledged.length < 2000) await new Promise((resolve) => setTimeout(resolve, 10))
    await broker.stop({hard: true})
    stop = true
    await Promise.all(writers)
    await producer.disconnect().catch(() => undefined)

    await broker.restart()
    const stored = new Set(await readAll(kafka, 'crash', acknowledged.length))
    const lost = acknowledged.filter((value) => !stored.has(value))
    expect(lost).toEqual([])
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length)
  })

  it('recovers a torn tail segment at start: the partial batch is cut off and appends continue after the last whole one', async () => {
    const {broker, kafka} = await start()
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'torn', numPartitions: 1}]})
    const producer = kafka.producer()
    await producer.connect()
    for (let batch = 0; batch < 5; batch++) await producer.send({topic: 'torn', messages: Array.from({length: 10}, (_, index) => ({value: `b${batch}-${index}`}))})
    await producer.disconnect()
    await admin.disconnect()
    await broker.stop()

    // Cut the last batch in half, as a crash in the middle of a write would leave it.
    const dir = path.join(broker.dataDir, 'topics', 'torn', '0')
    const segment = path.join(dir, (await readdir(dir)).find((name) => name.endsWith('.log'))!)
    const {size} = await stat(segment)
    await truncate(segment, size - 40)
    await broker.restart()
    expect(broker.logs.find((entry) => entry.msg === 'recovered torn log tail')).toMatchObject({topic: 'torn', partition: 0})
    expect((await stat(segment)).size).toBeLessThan(size - 40)

    const after = kafka.admin()
    await after.connect()
    expect((await after.fetchTopicOffsets('torn'))[0]!.high).toBe('40')
    const again = kafka.producer()
    await again.connect()
    const [result] = await again.send({topic: 'torn', messages: [{value: 'after-recovery'}]})
    expect(result!.baseOffset).toBe('40')
    await again.disconnect()
    await after.disconnect()
    const values = await readAll(kafka, 'torn', 41)
    expect(values).toEqual([...Array.from({length: 4}, (_, batch) => Array.from({length: 10}, (_, index) => `b${batch}-${index}`)).flat(), 'after-recovery'])
  })
})
