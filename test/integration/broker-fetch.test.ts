// Fetching from the embedded broker with kcat (librdkafka), a real process on each side: reads that
// start inside a batch, cross many segments, come from memory (the tail) or from the files (after a
// restart), and a partition limit smaller than one batch, which must still make progress.
import {execa} from 'execa'
import {Kafka, logLevel} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({brokers: broker.brokers, clientId: 'fetch-test', logLevel: logLevel.NOTHING})
})
afterAll(async () => {
  await broker?.cleanup()
})

async function kcat(args: string[]): Promise<string> {
  const result = await execa('kcat', ['-b', broker.bootstrap, ...args], {timeout: 60_000, reject: false})
  if (result.exitCode !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
  return String(result.stdout)
}

const value = (offset: number) => `value-${offset}-`.padEnd(1000, '.')

describe('fetch', {timeout: 120_000}, () => {
  it('reads from inside a batch across many segments, from memory and after a restart from disk, with a partition limit below one batch', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [{topic: 'fetch-segments', numPartitions: 1, configEntries: [{name: 'segment.bytes', value: '262144'}]}],
    })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    // 40 batches of 100 records of about 1 KB: about 16 segments of 256 KB.
    for (let batch = 0; batch < 40; batch++)
      await producer.send({
        topic: 'fetch-segments',
        acks: 1,
        messages: Array.from({length: 100}, (_, index) => ({value: value(batch * 100 + index)})),
      })
    await producer.disconnect()

    const expected = (from: number) =>
      Array.from({length: 4000 - from}, (_, index) => `${from + index} ${value(from + index)}`)
    const consume = async (from: number, extra: string[] = []) =>
      (await kcat(['-C', '-t', 'fetch-segments', '-p', '0', '-o', String(from), '-e', '-f', '%o %s\\n', ...extra]))
        .trim()
        .split('\n')

    // 3950 is inside the newest batch (held in memory), 1234 inside a batch on disk.
    expect(await consume(3950)).toEqual(expected(3950))
    expect(await consume(1234)).toEqual(expected(1234))
    // A batch is about 100 KB: a 10 KB partition limit still returns whole batches, one at a time.
    expect(
      await consume(0, [
        '-X',
        'message.max.bytes=10000',
        '-X',
        'fetch.max.bytes=10000',
        '-X',
        'max.partition.fetch.bytes=10000',
      ]),
    ).toEqual(expected(0))

    await broker.restart()
    expect(await consume(3950)).toEqual(expected(3950))
    expect(await consume(2777)).toEqual(expected(2777))
  })
})
