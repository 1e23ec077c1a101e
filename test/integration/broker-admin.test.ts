// Topic administration against the embedded broker as a real process: kafkajs (the old,
// non-flexible versions), @platformatic/kafka (the flexible ones) and kcat, each an independent
// client. DeleteRecords moves where consumers start and survives a restart; configs are Kafka's
// standard ones, with synonyms, and bad ones are refused by name.
import {readdirSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {execa} from 'execa'
import {ConfigResourceTypes, Kafka, logLevel} from 'kafkajs'
import {
  Admin as PlatformaticAdmin,
  ConfigResourceTypes as ResourceTypes,
  ConfigSources,
  Connection,
  deleteRecordsV2,
  describeClusterV1,
} from '@platformatic/kafka'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({
    brokers: broker.brokers,
    clientId: 'broker-admin-test',
    logLevel: logLevel.NOTHING,
    retry: {retries: 10, initialRetryTime: 100},
  })
})
afterAll(async () => {
  await broker?.cleanup()
})

async function withAdmin<T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await use(admin)
  } finally {
    await admin.disconnect()
  }
}

async function produce(topic: string, count: number, size = 10): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  for (let index = 0; index < count; index++)
    await producer.send({topic, messages: [{value: `m${index}`.padEnd(size, '.')}]})
  await producer.disconnect()
}

/** The offset and value of the first record a new group reads from the beginning. */
async function firstRecordFromBeginning(topic: string, group: string): Promise<{offset: number; value: string}> {
  const consumer = kafka.consumer({groupId: group})
  await consumer.connect()
  await consumer.subscribe({topic, fromBeginning: true})
  try {
    return await new Promise((resolve) => {
      void consumer.run({
        eachMessage: async ({message}) => resolve({offset: Number(message.offset), value: String(message.value)}),
      })
    })
  } finally {
    await consumer.disconnect()
  }
}

/** kafkajs's deleteTopicRecords finds leaders in metadata its admin has already loaded. */
const deleteRecords = (topic: string, offset: number) =>
  withAdmin(async (admin) => {
    await admin.fetchTopicMetadata({topics: [topic]})
    await admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: String(offset)}]})
  })

const lowWatermark = async (topic: string) =>
  withAdmin(async (admin) => Number((await admin.fetchTopicOffsets(topic))[0]!.low))

const segmentFiles = (topic: string) =>
  readdirSync(path.join(broker.dataDir, 'topics', topic, '0')).filter((name) => name.endsWith('.log'))

describe('topic administration', {timeout: 120_000}, () => {
  it('deleteTopicRecords moves where consumers start, resolves earliest there, and refuses reads below it', async () => {
    await withAdmin((admin) => admin.createTopics({topics: [{topic: 'trimmed', numPartitions: 1}]}))
    await produce('trimmed', 10)
    await deleteRecords('trimmed', 4)

    expect(await lowWatermark('trimmed')).toBe(4)
    expect(await firstRecordFromBeginning('trimmed', 'trimmed-reader')).toEqual({offset: 4, value: 'm4........'})

    // A group reset to "earliest" resolves to the new log start.
    const resolved = await withAdmin(async (admin) => {
      await admin.resetOffsets({groupId: 'trimmed-resolver', topic: 'trimmed', earliest: true})
      return admin.fetchOffsets({groupId: 'trimmed-resolver', topics: ['trimmed'], resolveOffsets: true})
    })
    expect(resolved[0]!.partitions).toEqual([{partition: 0, offset: '4', metadata: null}])

    // librdkafka told to fail rather than reset: reading below the start is out of range.
    const below = await execa(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', 'trimmed', '-p', '0', '-o', '1', '-e', '-X', 'auto.offset.reset=error'],
      {timeout: 30_000, reject: false},
    )
    expect(below.stdout).not.toContain('m1')
    expect(below.stderr).toMatch(/out of range/i)
    const from = await execa('kcat', ['-b', broker.bootstrap, '-C', '-t', 'trimmed', '-p', '0', '-o', '4', '-e'], {
      timeout: 30_000,
    })
    expect(from.stdout.split('\n')[0]).toBe('m4........')
  })

  it('keeps the log start offset across a restart and deletes the segments wholly below it', async () => {
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [{topic: 'trimmed-restart', numPartitions: 1, configEntries: [{name: 'segment.bytes', value: '1024'}]}],
      }),
    )
    await produce('trimmed-restart', 40, 200)
    const before = segmentFiles('trimmed-restart').length
    expect(before).toBeGreaterThan(3)
    await deleteRecords('trimmed-restart', 30)
    expect(segmentFiles('trimmed-restart').length).toBeLessThan(before)

    await broker.restart()
    expect(await lowWatermark('trimmed-restart')).toBe(30)
    expect(await firstRecordFromBeginning('trimmed-restart', 'after-restart')).toMatchObject({offset: 30})
  })

  it('describes a topic with Kafka standard configs, synonyms and sources', async () => {
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          {
            topic: 'configured',
            numPartitions: 1,
            configEntries: [
              {name: 'retention.ms', value: '3600000'},
              {name: 'message.timestamp.difference.max.ms', value: '86400000'},
            ],
          },
        ],
      }),
    )
    const described = await withAdmin((admin) =>
      admin.describeConfigs({
        includeSynonyms: true,
        resources: [{type: ConfigResourceTypes.TOPIC, name: 'configured'}],
      }),
    )
    const entries = described.resources[0]!.configEntries
    const byName = new Map(entries.map((entry) => [entry.configName, entry]))
    for (const name of ['cleanup.policy', 'min.insync.replicas', 'segment.jitter.ms', 'unclean.leader.election.enable'])
      expect(byName.has(name), name).toBe(true)
    expect(byName.get('retention.ms')).toMatchObject({
      configValue: '3600000',
      isDefault: false,
      configSource: 1,
      configSynonyms: [
        {configName: 'retention.ms', configValue: '3600000', configSource: 1},
        {configName: 'log.retention.hours', configValue: '168', configSource: 5},
      ],
    })
    expect(byName.get('message.timestamp.difference.max.ms')).toMatchObject({configValue: '86400000', configSource: 1})
    expect(byName.get('segment.bytes')).toMatchObject({
      configValue: '1073741824',
      isDefault: true,
      configSource: 5,
      configSynonyms: [{configName: 'log.segment.bytes', configValue: '1073741824', configSource: 5}],
    })
    expect(byName.get('message.format.version')).toMatchObject({readOnly: true})
  })

  it('refuses an unknown config, a bad value and a replica assignment naming a missing broker', async () => {
    await withAdmin(async (admin) => {
      const unknown = admin.createTopics({
        topics: [{topic: 'bad-config', configEntries: [{name: 'retention.fortnights', value: '2'}]}],
      })
      await expect(unknown).rejects.toMatchObject({errors: [{type: 'INVALID_CONFIG', topic: 'bad-config'}]})
      const badValue = admin.createTopics({
        topics: [{topic: 'bad-config', configEntries: [{name: 'retention.ms', value: 'soon'}]}],
      })
      await expect(badValue).rejects.toMatchObject({errors: [{type: 'INVALID_CONFIG'}]})
      expect((await admin.listTopics()).includes('bad-config')).toBe(false)

      await admin.createTopics({topics: [{topic: 'growing', numPartitions: 1}]})
      const missingBroker = admin.createPartitions({
        topicPartitions: [{topic: 'growing', count: 2, assignments: [[7]]}],
      })
      await expect(missingBroker).rejects.toMatchObject({type: 'INVALID_REPLICA_ASSIGNMENT'})
      const wrongCount = admin.createPartitions({
        topicPartitions: [{topic: 'growing', count: 3, assignments: [[1]]}],
      })
      await expect(wrongCount).rejects.toMatchObject({type: 'INVALID_REPLICA_ASSIGNMENT'})
      await admin.createPartitions({topicPartitions: [{topic: 'growing', count: 3, assignments: [[1], [1]]}]})
      expect((await admin.fetchTopicMetadata({topics: ['growing']})).topics[0]!.partitions).toHaveLength(3)
    })
  })

  it('still serves kcat -L after the new APIs are advertised', async () => {
    const listed = await execa('kcat', ['-b', broker.bootstrap, '-L', '-J'], {timeout: 30_000})
    const metadata = JSON.parse(listed.stdout) as {topics: Array<{topic: string}>}
    expect(metadata.topics.map((topic) => topic.topic)).toContain('configured')
  })
})

describe('@platformatic/kafka at the flexible versions', {timeout: 120_000}, () => {
  const platformatic = () =>
    new PlatformaticAdmin({clientId: 'broker-admin-flexible', bootstrapBrokers: broker.brokers, retries: 2})

  it('describes the cluster (DescribeCluster v1): this node as broker and controller', async () => {
    const connection = new Connection('broker-admin-flexible')
    await connection.connect('127.0.0.1', broker.port)
    try {
      const described = await describeClusterV1.api.async(connection, false, 1)
      expect(described).toMatchObject({errorCode: 0, endpointType: 1, controllerId: 1, brokers: [{brokerId: 1}]})
      expect(described.clusterId).toMatch(/\S/)
    } finally {
      await connection.close()
    }
  })

  it('creates, alters incrementally and describes configs (CreateTopics v7, IncrementalAlterConfigs v1, DescribeConfigs v4)', async () => {
    const admin = platformatic()
    try {
      const [created] = await admin.createTopics({topics: ['flexible'], partitions: 2, replicas: 1})
      expect(created).toMatchObject({name: 'flexible', partitions: 2, replicas: 1})
      expect(created!.configuration['cleanup.policy']).toBe('delete')

      await expect(
        admin.createTopics({
          topics: ['flexible-bad'],
          partitions: 1,
          replicas: 1,
          configs: [{name: 'nope.ms', value: '1'}],
        }),
      ).rejects.toMatchObject({
        errors: [{apiId: 'INVALID_CONFIG', serverErrorMessage: expect.stringContaining('nope.ms')}],
      })

      await admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ResourceTypes.TOPIC,
            resourceName: 'flexible',
            configs: [
              {name: 'retention.ms', configOperation: 0, value: '120000'},
              {name: 'cleanup.policy', configOperation: 2, value: 'compact'},
            ],
          },
        ],
      })
      const describe = async () => {
        const [result] = await admin.describeConfigs({
          resources: [{resourceType: ResourceTypes.TOPIC, resourceName: 'flexible'}],
          includeSynonyms: true,
          includeDocumentation: true,
        })
        return new Map(result!.configs.map((config) => [config.name, config]))
      }
      const altered = await describe()
      expect(altered.get('retention.ms')).toMatchObject({value: '120000', configSource: ConfigSources.TOPIC_CONFIG})
      expect(altered.get('cleanup.policy')).toMatchObject({value: 'delete,compact', configType: 7})
      expect(altered.get('cleanup.policy')!.documentation).toMatch(/does not act on it/)

      await admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ResourceTypes.TOPIC,
            resourceName: 'flexible',
            configs: [
              {name: 'retention.ms', configOperation: 1},
              {name: 'cleanup.policy', configOperation: 3, value: 'compact'},
            ],
          },
        ],
      })
      const restored = await describe()
      expect(restored.get('retention.ms')).toMatchObject({
        value: '604800000',
        configSource: ConfigSources.DEFAULT_CONFIG,
      })
      expect(restored.get('cleanup.policy')).toMatchObject({value: 'delete'})

      await expect(
        admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ResourceTypes.TOPIC,
              resourceName: 'flexible',
              configs: [{name: 'retention.ms', configOperation: 2, value: '5'}],
            },
          ],
        }),
      ).rejects.toMatchObject({
        errors: [{response: {responses: [{errorCode: 40, errorMessage: expect.stringContaining('retention.ms')}]}}],
      })
    } finally {
      await admin.close()
    }
  })

  it('deletes records up to the high watermark (DeleteRecords v2 on the wire)', async () => {
    await withAdmin((admin) => admin.createTopics({topics: [{topic: 'flexible-trim', numPartitions: 1}]}))
    await produce('flexible-trim', 5)
    const connection = new Connection('broker-admin-flexible')
    await connection.connect('127.0.0.1', broker.port)
    try {
      const deleted = await deleteRecordsV2.api.async(
        connection,
        [{name: 'flexible-trim', partitions: [{partitionIndex: 0, offset: -1n}]}],
        1000,
      )
      expect(deleted.topics).toEqual([
        {name: 'flexible-trim', partitions: [{partitionIndex: 0, lowWatermark: 5n, errorCode: 0}]},
      ])
    } finally {
      await connection.close()
    }
    expect(await lowWatermark('flexible-trim')).toBe(5)
  })

  // Admin.deleteRecords first looks up partition leaders with Metadata v9+, which the broker
  // advertises once the flexible Metadata lands (branch flex-data); until then this one fails.
  it('deletes records through the Admin client (needs Metadata v9+)', async () => {
    await withAdmin((admin) => admin.createTopics({topics: [{topic: 'flexible-admin-trim', numPartitions: 1}]}))
    await produce('flexible-admin-trim', 3)
    const admin = platformatic()
    try {
      const [deleted] = await admin.deleteRecords({
        topics: [{name: 'flexible-admin-trim', partitions: [{partition: 0, offset: 2n}]}],
      })
      expect(deleted).toEqual({name: 'flexible-admin-trim', partitions: [{partition: 0, lowWatermark: 2n}]})
    } finally {
      await admin.close()
    }
    expect(await lowWatermark('flexible-admin-trim')).toBe(2)
  })
})

/** Sends raw bytes and collects what comes back until the broker closes or `until` is met. */
function exchange(bytes: Buffer, until: (received: Buffer) => boolean): Promise<{received: Buffer; closed: boolean}> {
  return new Promise((resolve) => {
    const socket = net.connect(broker.port, '127.0.0.1')
    const chunks: Buffer[] = []
    const finish = (closed: boolean) => {
      socket.destroy()
      resolve({received: Buffer.concat(chunks), closed})
    }
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      if (until(Buffer.concat(chunks))) finish(false)
    })
    socket.on('error', () => undefined) // the broker closing a bad connection is what the test checks
    socket.on('close', () => finish(true))
    socket.on('connect', () => socket.write(bytes))
  })
}

function frame(...parts: number[][]): Buffer {
  const body = Buffer.from(parts.flat())
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

describe('a flexible frame written byte by byte', {timeout: 60_000}, () => {
  it('DeleteRecords v2: request header v2 in, response header v1 and compact body out; a lying count closes only that connection', async () => {
    await withAdmin((admin) => admin.createTopics({topics: [{topic: 'raw', numPartitions: 1}]}))
    await produce('raw', 3)
    const name = [...Buffer.from('raw')]
    // api key 21, version 2, correlation id 9, client id "x" (int16 length), empty header tags
    const header = [0, 21, 0, 2, 0, 0, 0, 9, 0, 1, 120, 0]
    // topics: 1 (compact 2); name; partitions: 1; index 0; offset 1 (int64); tags; tags; timeout 1000; tags
    const body = [2, name.length + 1, ...name, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 232, 0]
    const {received} = await exchange(
      frame(header, body),
      (bytes) => bytes.length >= 4 && bytes.length >= 4 + bytes.readInt32BE(0),
    )
    expect([...received]).toEqual([
      ...[0, 0, 0, 32], // size
      ...[0, 0, 0, 9, 0], // correlation id, empty response header tags (header v1)
      ...[0, 0, 0, 0], // throttle time
      ...[2, name.length + 1, ...name, 2], // one topic, its name, one partition
      ...[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], // index 0, low watermark 1, no error
      ...[0, 0, 0], // partition, topic and response tags
    ])
    expect(await lowWatermark('raw')).toBe(1)

    // The same request claiming 100 topics in a 30-byte frame: that connection is closed…
    const lying = await exchange(frame(header, [101, ...body.slice(1)]), () => false)
    expect(lying).toEqual({received: Buffer.alloc(0), closed: true})
    // … and the broker goes on serving.
    expect(await lowWatermark('raw')).toBe(1)
  })
})
