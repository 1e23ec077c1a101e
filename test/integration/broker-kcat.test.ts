// kcat (librdkafka) against the embedded broker: an independent Kafka client proves the wire
// protocol — metadata, producing, consuming from the beginning and from a timestamp, and a
// balanced consumer group.
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {Kafka, logLevel} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBrokerProcess, waitFor, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({brokers: broker.brokers, clientId: 'kcat-test', logLevel: logLevel.NOTHING})
})
afterAll(async () => {
  await broker?.cleanup()
})

async function kcat(args: string[], input?: string): Promise<string> {
  const result = await execa('kcat', ['-b', broker.bootstrap, ...args], {input, timeout: 30_000, reject: false})
  if (result.exitCode !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
  return String(result.stdout)
}

describe('kcat', {timeout: 120_000}, () => {
  it('lists metadata with -L', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'kcat-listed', numPartitions: 3}]})
    await admin.disconnect()
    const metadata = JSON.parse(await kcat(['-L', '-J'])) as {
      brokers: Array<{id: number; name: string}>
      topics: Array<{topic: string; partitions: Array<{partition: number; leader: number}>}>
    }
    expect(metadata.brokers).toEqual([{id: 1, name: broker.bootstrap}])
    const topic = metadata.topics.find((entry) => entry.topic === 'kcat-listed')!
    expect(topic.partitions.map((partition) => [partition.partition, partition.leader])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ])
  })

  it('produces keyed records with -P and reads them back with -C -o beginning -e', async () => {
    const lines = Array.from({length: 50}, (_, index) => `key${index % 5}:value-${index}`)
    await kcat(['-P', '-t', 'kcat-roundtrip', '-K:'], `${lines.join('\n')}\n`)
    const consumed = (await kcat(['-C', '-t', 'kcat-roundtrip', '-o', 'beginning', '-e', '-f', '%k:%s\\n']))
      .trim()
      .split('\n')
    expect(consumed).toEqual(lines)
    // kafkajs sees the same records kcat wrote.
    const consumer = kafka.consumer({groupId: 'kcat-roundtrip-check', maxWaitTimeInMs: 200})
    await consumer.connect()
    await consumer.subscribe({topic: 'kcat-roundtrip', fromBeginning: true})
    const seen: string[] = []
    await consumer.run({eachMessage: async ({message}) => void seen.push(`${message.key}:${message.value}`)})
    await waitFor(() => seen.length >= 50, 'kafkajs reading kcat records')
    await consumer.disconnect()
    expect(seen).toEqual(lines)
  })

  it('stores zstd batches (-z zstd) as sent and serves them back', async () => {
    // @platformatic/kafka needs zlib's zstd (Node 22.15+), so this codec is proven with librdkafka.
    const lines = Array.from({length: 200}, (_, index) => `zstd-${index}-${'x'.repeat(index % 40)}`)
    await kcat(['-P', '-t', 'kcat-zstd', '-z', 'zstd'], `${lines.join('\n')}\n`)
    const consumed = (await kcat(['-C', '-t', 'kcat-zstd', '-o', 'beginning', '-e'])).trim().split('\n')
    expect(consumed).toEqual(lines)
    // The stored batch is the compressed one kcat sent: RecordBatch attributes (byte 21) codec 4.
    const dir = path.join(broker.dataDir, 'topics', 'kcat-zstd', '0')
    const segment = readdirSync(dir).find((file) => file.endsWith('.log'))!
    const stored = readFileSync(path.join(dir, segment))
    expect(stored.readInt16BE(21) & 0x07).toBe(4)
    expect(stored.length).toBeLessThan(lines.join('').length)
  })

  it('starts at the first record at or after a timestamp with -C -o s@<ms>', async () => {
    await kcat(['-P', '-t', 'kcat-time'], 'old-1\nold-2\nold-3\n')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const cut = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 100))
    await kcat(['-P', '-t', 'kcat-time'], 'new-1\nnew-2\n')
    const consumed = (await kcat(['-C', '-t', 'kcat-time', '-o', `s@${cut}`, '-e'])).trim().split('\n')
    expect(consumed).toEqual(['new-1', 'new-2'])
  })

  it('balances a topic across two -G group members and delivers each record once', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'kcat-group', numPartitions: 4}]})
    const outputs: string[][] = [[], []]
    const members = outputs.map((lines) => {
      const child = spawn(
        'kcat',
        [
          '-u',
          '-b',
          broker.bootstrap,
          '-G',
          'kcat-balanced',
          '-X',
          'auto.offset.reset=earliest',
          '-X',
          'heartbeat.interval.ms=300',
          '-X',
          'session.timeout.ms=6000',
          '-f',
          '%p %s\\n',
          'kcat-group',
        ],
        {stdio: ['ignore', 'pipe', 'ignore']},
      )
      child.stdout.setEncoding('utf8')
      let pending = ''
      child.stdout.on('data', (text: string) => {
        pending += text
        const parts = pending.split('\n')
        pending = parts.pop()!
        lines.push(...parts)
      })
      return child
    })
    try {
      await waitFor(async () => {
        const {groups} = await admin.describeGroups(['kcat-balanced'])
        return groups[0]!.state === 'Stable' && groups[0]!.members.length === 2
      }, 'two kcat members in a stable group')
      const producer = kafka.producer()
      await producer.connect()
      await producer.send({
        topic: 'kcat-group',
        messages: Array.from({length: 200}, (_, index) => ({key: `k${index}`, value: `record-${index}`})),
      })
      await producer.disconnect()
      await waitFor(() => outputs.flat().length >= 200, 'both members consuming 200 records')
      await new Promise((resolve) => setTimeout(resolve, 300))
      const values = outputs.flat().map((line) => line.split(' ')[1])
      expect(values.length).toBe(200)
      expect(new Set(values).size).toBe(200)
      const partitionsOf = (lines: string[]) => new Set(lines.map((line) => line.split(' ')[0]))
      const [first, second] = outputs.map(partitionsOf) as [Set<string>, Set<string>]
      expect(first.size).toBe(2)
      expect(second.size).toBe(2)
      expect([...first].filter((partition) => second.has(partition))).toEqual([])
    } finally {
      for (const member of members) member.kill('SIGTERM')
      await admin.disconnect()
    }
  })
})
