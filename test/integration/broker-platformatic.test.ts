// @platformatic/kafka against the embedded broker, started as a real process. This client only
// implements flexible versions of these APIs (Metadata 9+, CreateTopics 7, Produce 7+ picking the
// broker's 9, Fetch 12+ picking 17 (topics by id), ListOffsets 5+ picking 7, DeleteTopics 6, InitProducerId 3+ picking 4, the
// transaction APIs at 3), so every call here goes through the flexible codecs: topics created with
// their ids, ids that survive a restart, produce with each codec, idempotent produce, a committed
// and an aborted transaction read back at read_committed, fetch by topic id, list offsets (earliest,
// latest, by time, the largest timestamp) and delete topics; then Metadata v12 and DeleteTopics v6
// naming topics by id alone.
import net from 'node:net'
import {Admin, Consumer, Producer, stringSerializers} from '@platformatic/kafka'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {ApiKey} from '../../src/broker/protocol/api-keys.js'
import {Decoder} from '../../src/broker/protocol/decoder.js'
import {Encoder} from '../../src/broker/protocol/encoder.js'
import type {MessageSchema} from '../../src/broker/protocol/schema.js'
import {MetadataRequestSchema, MetadataResponseSchema} from '../../src/broker/protocol/apis/metadata.js'
import {DeleteTopicsRequestSchema, DeleteTopicsResponseSchema} from '../../src/broker/protocol/apis/delete-topics.js'
import {FetchRequestSchema, FetchResponseSchema} from '../../src/broker/protocol/apis/fetch.js'

let broker: BrokerProcess
const clients: Array<{close(): Promise<void>}> = []

beforeAll(async () => {
  broker = await startBrokerProcess()
})
afterAll(async () => {
  for (const client of clients) await client.close()
  await broker?.cleanup()
})

function track<Client extends {close(): Promise<void>}>(client: Client): Client {
  clients.push(client)
  return client
}

const options = () => ({clientId: 'platformatic-test', bootstrapBrokers: broker.brokers, retries: 5, retryDelay: 200})

/** CreateTopics v7, as this client sends it. */
async function createTopic(topic: string, numPartitions = 1): Promise<void> {
  const admin = new Admin(options())
  try {
    const [created] = await admin.createTopics({topics: [topic], partitions: numPartitions, replicas: 1})
    expect(created).toMatchObject({name: topic, partitions: numPartitions})
    expect(created!.id).toMatch(UUID)
  } finally {
    await admin.close()
  }
}

async function topicId(topic: string): Promise<string | undefined> {
  const admin = new Admin(options())
  try {
    const metadata = await admin.metadata({topics: [topic], forceUpdate: true})
    return metadata.topics.get(topic)?.id
  } finally {
    await admin.close()
  }
}

/**
 * One request at a flexible version on its own connection, as a client that asks by topic id (the
 * Java client) sends it: request header v2, response header v1.
 */
async function flexibleRequest<Request, Response>(
  apiKey: number,
  version: number,
  request: {schema: MessageSchema<Request>; value: Request},
  responseSchema: MessageSchema<Response>,
): Promise<Response> {
  const body = new Encoder()
    .writeInt16(apiKey)
    .writeInt16(version)
    .writeInt32(1)
    .writeString('by-id-test')
    .writeUnsignedVarInt(0)
  const frame = Buffer.concat([...body.toChunks(), request.schema.encode(version, request.value).toBuffer()])
  const size = Buffer.alloc(4)
  size.writeInt32BE(frame.length)
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect(broker.port, '127.0.0.1')
    let buffered = Buffer.alloc(0)
    socket.on('error', reject)
    socket.on('close', () => reject(new Error('the broker closed the connection')))
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      if (buffered.length < 4 || buffered.length < 4 + buffered.readInt32BE(0)) return
      socket.destroy()
      resolve(buffered.subarray(4, 4 + buffered.readInt32BE(0)))
    })
    socket.on('connect', () => socket.write(Buffer.concat([size, frame])))
  })
  const decoder = new Decoder(reply)
  expect(decoder.readInt32()).toBe(1)
  decoder.skipTaggedFields()
  return responseSchema.read(decoder, version)
}

/** Every batch of partition 0 from offset 0, by a low-level Fetch (v17: the topic by its id) at `isolationLevel`. */
async function fetchBatches(topic: string, isolationLevel: 0 | 1) {
  const consumer = track(new Consumer({...options(), groupId: 'pf-unused'}))
  const metadata = await consumer.metadata({topics: [topic]})
  const response = await consumer.fetch({
    node: metadata.topics.get(topic)!.partitions[0]!.leader,
    maxWaitTime: 100,
    isolationLevel,
    topics: [
      {
        topicId: metadata.topics.get(topic)!.id,
        partitions: [
          {partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1},
        ],
      },
    ],
  })
  const partition = response.responses[0]!.partitions[0]!
  expect(partition.errorCode).toBe(0)
  return Object.assign(partition.records ?? [], {abortedTransactions: partition.abortedTransactions ?? []})
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('@platformatic/kafka', {timeout: 120_000}, () => {
  it('sees a topic id in Metadata, the same after a restart, and a new one for a deleted and re-created topic', async () => {
    await createTopic('pf-ids', 3)
    const admin = new Admin(options())
    const metadata = await admin.metadata({topics: ['pf-ids']})
    await admin.close()
    const first = metadata.topics.get('pf-ids')!
    expect(first.id).toMatch(UUID)
    expect(first.id).not.toBe('00000000-0000-0000-0000-000000000000')
    expect(first.partitionsCount).toBe(3)
    expect(first.partitions[0]).toMatchObject({leaderEpoch: 0, replicas: [metadata.controllerId]})
    expect(metadata.id).toBeTruthy()

    await broker.restart()
    expect(await topicId('pf-ids')).toBe(first.id)

    const deleter = new Admin(options())
    await deleter.deleteTopics({topics: ['pf-ids']})
    await deleter.close()
    await createTopic('pf-ids', 1)
    const recreated = await topicId('pf-ids')
    expect(recreated).toMatch(UUID)
    expect(recreated).not.toBe(first.id)
  })

  it('produces with each codec it supports and fetches the batches back by topic id, compressed as they were sent', async () => {
    await createTopic('pf-codecs')
    // zstd needs zlib.zstdCompressSync (Node 22.15+); this client reports it unavailable on Node 20.
    const codecs = [
      {name: 'none', bitmask: 0},
      {name: 'gzip', bitmask: 1},
      {name: 'snappy', bitmask: 2},
      {name: 'lz4', bitmask: 3},
    ] as const
    const producer = track(new Producer({...options(), serializers: stringSerializers}))
    const sent: Array<{codec: string; offset: bigint}> = []
    for (const codec of codecs) {
      const result = await producer.send({
        compression: codec.name,
        messages: ['a', 'b', 'c'].map((letter) => ({
          topic: 'pf-codecs',
          partition: 0,
          key: `${codec.name}-key`,
          value: `${codec.name}-${letter}`,
        })),
      })
      sent.push({codec: codec.name, offset: result.offsets![0]!.offset})
    }
    expect(sent.map((entry) => entry.offset)).toEqual([0n, 3n, 6n, 9n])

    const consumer = track(new Consumer({...options(), groupId: 'pf-unused'}))
    const metadata = await consumer.metadata({topics: ['pf-codecs']})
    const response = await consumer.fetch({
      node: metadata.topics.get('pf-codecs')!.partitions[0]!.leader,
      maxWaitTime: 100,
      topics: [
        {
          topicId: metadata.topics.get('pf-codecs')!.id,
          partitions: [
            {partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1},
          ],
        },
      ],
    })
    const partition = response.responses[0]!.partitions[0]!
    expect(partition).toMatchObject({errorCode: 0, highWatermark: 12n, lastStableOffset: 12n, logStartOffset: 0n})
    const batches = partition.records!
    expect(batches.map((batch) => batch.attributes & 0x07)).toEqual(codecs.map((codec) => codec.bitmask))
    expect(batches.map((batch) => batch.firstOffset)).toEqual([0n, 3n, 6n, 9n])
    const values = batches.flatMap((batch) => batch.records.map((record) => record.value!.toString()))
    expect(values).toEqual(codecs.flatMap((codec) => ['a', 'b', 'c'].map((letter) => `${codec.name}-${letter}`)))
  })

  it('produces idempotently: the batches carry its producer id and consecutive sequences', async () => {
    await createTopic('pf-idempotent')
    const producer = track(new Producer({...options(), idempotent: true, serializers: stringSerializers}))
    for (const round of [0, 1, 2])
      await producer.send({
        messages: ['a', 'b'].map((letter) => ({topic: 'pf-idempotent', partition: 0, value: `${round}-${letter}`})),
      })
    const batches = await fetchBatches('pf-idempotent', 0)
    const producerId = batches[0]!.producerId
    expect(producerId).toBeGreaterThanOrEqual(0n)
    expect(batches.map((batch) => [batch.producerId, batch.firstSequence])).toEqual([
      [producerId, 0],
      [producerId, 2],
      [producerId, 4],
    ])
  })

  it('commits one transaction and aborts another; read_committed sees only the committed records', async () => {
    await createTopic('pf-txn')
    const producer = track(
      new Producer({
        ...options(),
        transactionalId: 'pf-txn-producer',
        idempotent: true,
        serializers: stringSerializers,
      }),
    )
    const send = async (values: string[], end: 'commit' | 'abort') => {
      const transaction = await producer.beginTransaction()
      await transaction.send({messages: values.map((value) => ({topic: 'pf-txn', partition: 0, value}))})
      await transaction[end]()
    }
    await send(['kept-1', 'kept-2'], 'commit')
    await send(['dropped'], 'abort')
    await send(['kept-3'], 'commit')
    const committed = await fetchBatches('pf-txn', 1)
    const aborted = new Set(committed.abortedTransactions.map((entry) => entry.firstOffset))
    const visible = committed
      .filter((batch) => (batch.attributes & 0x20) === 0 && !aborted.has(batch.firstOffset))
      .flatMap((batch) => batch.records.map((record) => record.value!.toString()))
    expect(visible).toEqual(['kept-1', 'kept-2', 'kept-3'])
    // The aborted batch is listed, and a read_uncommitted fetch still returns it.
    expect(committed.abortedTransactions).toHaveLength(1)
    const everything = (await fetchBatches('pf-txn', 0)).flatMap((batch) =>
      (batch.attributes & 0x20) === 0 ? batch.records.map((record) => record.value!.toString()) : [],
    )
    expect(everything).toEqual(['kept-1', 'kept-2', 'dropped', 'kept-3'])
  })

  it('lists the earliest and latest offsets, the first at or after a time, and the largest timestamp', async () => {
    await createTopic('pf-offsets')
    const base = 1_700_000_000_000n
    const producer = track(new Producer({...options(), serializers: stringSerializers}))
    // One uncompressed batch; the largest timestamp is in the middle, not at the end.
    await producer.send({
      messages: [0n, 5_000n, 1_000n, 2_000n].map((delta, index) => ({
        topic: 'pf-offsets',
        partition: 0,
        value: `at-${index}`,
        timestamp: base + delta,
      })),
    })
    const consumer = track(new Consumer({...options(), groupId: 'pf-unused'}))
    const at = async (timestamp: bigint) =>
      (await consumer.listOffsetsWithTimestamps({topics: ['pf-offsets'], timestamp})).get('pf-offsets')!.get(0)
    expect((await at(-2n))!.offset).toBe(0n)
    expect((await at(-1n))!.offset).toBe(4n)
    expect(await at(base + 500n)).toEqual({offset: 1n, timestamp: base + 5_000n})
    expect(await at(base)).toEqual({offset: 0n, timestamp: base})
    expect(await at(base + 5_001n)).toEqual({offset: -1n, timestamp: -1n})
    expect(await at(-3n)).toEqual({offset: 1n, timestamp: base + 5_000n})
  })

  it('deletes topics, and says which do not exist', async () => {
    await createTopic('pf-delete-a')
    await createTopic('pf-delete-b')
    const admin = track(new Admin(options()))
    await admin.deleteTopics({topics: ['pf-delete-a', 'pf-delete-b']})
    const names = [...(await admin.metadata({forceUpdate: true})).topics.keys()]
    expect(names).not.toContain('pf-delete-a')
    expect(names).not.toContain('pf-delete-b')
    await expect(admin.deleteTopics({topics: ['pf-never-was']})).rejects.toThrow()
  })
})

// Clients that ask by topic id (the Java client's describeTopics and deleteTopics by id) send these;
// @platformatic/kafka asks by name, so the requests are written with the broker's own schemas.
describe('topics named by id', {timeout: 60_000}, () => {
  it('finds a topic by id alone with Metadata v12 and deletes one by id with DeleteTopics v6', async () => {
    await createTopic('pf-by-id', 2)
    const id = (await topicId('pf-by-id'))!
    const byId = (topicId: string) =>
      flexibleRequest(
        ApiKey.Metadata,
        12,
        {
          schema: MetadataRequestSchema,
          value: {
            topics: [{topicId, name: null}],
            allowAutoTopicCreation: false,
            includeClusterAuthorizedOperations: false,
            includeTopicAuthorizedOperations: false,
          },
        },
        MetadataResponseSchema,
      )
    const found = await byId(id)
    expect(found.topics).toEqual([
      expect.objectContaining({errorCode: 0, name: 'pf-by-id', topicId: id, topicAuthorizedOperations: -2147483648}),
    ])
    expect(found.topics[0]!.partitions).toHaveLength(2)

    const deleteTopics = (topics: Array<{name: string | null; topicId: string}>) =>
      flexibleRequest(
        ApiKey.DeleteTopics,
        6,
        {schema: DeleteTopicsRequestSchema, value: {topics, topicNames: [], timeoutMs: 5000}},
        DeleteTopicsResponseSchema,
      )
    // Both a name and an id: refused, as Kafka does.
    expect((await deleteTopics([{name: 'pf-by-id', topicId: id}])).responses[0]).toMatchObject({errorCode: 42})
    expect((await deleteTopics([{name: null, topicId: id}])).responses).toEqual([
      {name: 'pf-by-id', topicId: id, errorCode: 0, errorMessage: null},
    ])
    // Gone: neither Metadata nor DeleteTopics knows the id any more (UNKNOWN_TOPIC_ID).
    expect((await byId(id)).topics).toEqual([expect.objectContaining({errorCode: 100, name: null, topicId: id})])
    expect((await deleteTopics([{name: null, topicId: id}])).responses[0]).toMatchObject({name: null, errorCode: 100})
    // …nor Fetch v13+, which names topics by id only.
    const fetched = await flexibleRequest(
      ApiKey.Fetch,
      13,
      {
        schema: FetchRequestSchema,
        value: {
          clusterId: null,
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{topic: '', topicId: id, partitions: [{...emptyPartition, partitionMaxBytes: 1024}]}],
          forgottenTopicsData: [],
          rackId: '',
        },
      },
      FetchResponseSchema,
    )
    expect(fetched.topics).toEqual([
      expect.objectContaining({topicId: id, partitions: [expect.objectContaining({partition: 0, errorCode: 100})]}),
    ])
  })
})

const emptyPartition = {
  partition: 0,
  currentLeaderEpoch: -1,
  fetchOffset: 0,
  lastFetchedEpoch: -1,
  logStartOffset: -1,
  partitionMaxBytes: 0,
  replicaDirectoryId: '00000000-0000-0000-0000-000000000000',
}
