// What survives the broker process: records and committed offsets across a clean restart and a
// kill -9 with fsync `always`, and a torn tail segment recovered at start.
import {open, readdir, stat, truncate} from 'node:fs/promises'
import path from 'node:path'
import {Kafka, logLevel} from 'kafkajs'
import {afterEach, describe, expect, it} from 'vitest'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {TRIALS, runTrials} from '../helpers/trials.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const started: BrokerProcess[] = []
afterEach(async () => {
  for (const broker of started.splice(0)) await broker.cleanup()
})

async function start(args: string[] = []): Promise<{broker: BrokerProcess; kafka: Kafka}> {
  const broker = await startBrokerProcess({args})
  started.push(broker)
  return {
    broker,
    kafka: new Kafka({
      brokers: broker.brokers,
      clientId: 'durability-test',
      logLevel: logLevel.NOTHING,
      retry: {retries: 2, initialRetryTime: 100},
    }),
  }
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
  while (values.length < Math.min(total, expected) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50))
  await new Promise((resolve) => setTimeout(resolve, 200))
  await consumer.disconnect()
  return values
}

describe('broker durability', {timeout: 120_000}, () => {
  it('keeps records and committed offsets across a clean restart', async () => {
    const {broker, kafka} = await start()
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [{topic: 'restart', numPartitions: 2, configEntries: [{name: 'retention.ms', value: '86400000'}]}],
    })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'restart',
      messages: Array.from({length: 100}, (_, index) => ({key: `k${index}`, value: `v${index}`})),
    })
    await producer.disconnect()
    await admin.setOffsets({
      groupId: 'restart-group',
      topic: 'restart',
      partitions: [
        {partition: 0, offset: '7'},
        {partition: 1, offset: '3'},
      ],
    })
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
    const configs = await after.describeConfigs({
      resources: [{type: 2, name: 'restart', configNames: ['retention.ms']}],
      includeSynonyms: false,
    })
    expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('86400000')
    await after.disconnect()
    expect((await readAll(kafka, 'restart', 100)).sort()).toEqual(
      Array.from({length: 100}, (_, index) => `v${index}`).sort(),
    )
  })

  // PRODUCT.md §7; RELIABILITY_TRIALS repeats the kill on the same data directory, a topic per trial.
  it('loses no acknowledged record when killed with -9 during acks=-1 produce with fsync always', async () => {
    const {broker, kafka} = await start(['--fsync', 'always'])
    await runTrials('broker-kill9-acks-all', TRIALS, async (trial) => {
      const topic = `crash-${trial}`
      const admin = kafka.admin()
      await admin.connect()
      await admin.createTopics({topics: [{topic, numPartitions: 3}]})
      await admin.disconnect()
      const producer = kafka.producer({retry: {retries: 0}})
      await producer.connect()
      const acknowledged: string[] = []
      let stop = false
      const writers = Array.from({length: 4}, async (_, writer) => {
        for (let batch = 0; !stop; batch++) {
          const values = Array.from({length: 20}, (_, index) => `w${writer}-b${batch}-${index}`)
          try {
            await producer.send({topic, acks: -1, messages: values.map((value) => ({value}))})
            acknowledged.push(...values)
          } catch {
            return
          }
        }
      })
      // Kill at a different point each trial: after 1,000 to 3,000 acknowledged records.
      const killAfter = 1000 + ((trial * 737) % 2000)
      while (acknowledged.length < killAfter) await new Promise((resolve) => setTimeout(resolve, 10))
      await broker.stop({hard: true})
      stop = true
      await Promise.all(writers)
      await producer.disconnect().catch(() => undefined) // the broker was killed under it: nothing to disconnect

      await broker.restart()
      const stored = new Set(await readAll(kafka, topic, acknowledged.length))
      const lost = acknowledged.filter((value) => !stored.has(value))
      expect(lost).toEqual([])
      expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length)
      return {acknowledged: acknowledged.length, lost: lost.length}
    })
  })

  // Odd trials cut the last batch short (a torn write), even ones overwrite its end (a corrupt
  // write that fails its CRC); the amount varies per trial.
  it('recovers a torn or corrupt tail segment at start: the bad batch is cut off and appends continue after the last whole one', async () => {
    await runTrials('broker-corrupt-tail', TRIALS, async (trial) => {
      const {broker, kafka} = await start()
      const admin = kafka.admin()
      await admin.connect()
      await admin.createTopics({topics: [{topic: 'torn', numPartitions: 1}]})
      const producer = kafka.producer()
      await producer.connect()
      for (let batch = 0; batch < 5; batch++)
        await producer.send({
          topic: 'torn',
          messages: Array.from({length: 10}, (_, index) => ({value: `b${batch}-${index}`})),
        })
      await producer.disconnect()
      await admin.disconnect()
      await broker.stop()

      // Damage the last batch, as a crash in the middle of a write (or a bad disk) would leave it.
      const dir = path.join(broker.dataDir, 'topics', 'torn', '0')
      const segment = path.join(
        dir,
        (await readdir(dir)).find((name) => name.endsWith('.log'))!,
      )
      const {size} = await stat(segment)
      const damaged = 1 + ((trial * 13) % 40)
      if (trial % 2 === 0) {
        await truncate(segment, size - damaged)
      } else {
        const file = await open(segment, 'r+')
        await file.write(Buffer.alloc(damaged, 0xa5), 0, damaged, size - damaged)
        await file.close()
      }
      await broker.restart()
      expect(broker.logs.find((entry) => entry.msg === 'recovered torn log tail')).toMatchObject({
        topic: 'torn',
        partition: 0,
      })
      expect((await stat(segment)).size).toBeLessThan(size - damaged)

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
      expect(values).toEqual([
        ...Array.from({length: 4}, (_, batch) => Array.from({length: 10}, (_, index) => `b${batch}-${index}`)).flat(),
        'after-recovery',
      ])
      await broker.cleanup()
      started.splice(started.indexOf(broker), 1)
      return {damagedBytes: damaged}
    })
  })
})
