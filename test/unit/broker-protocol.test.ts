// The broker's request decoders against request frames captured from real clients (kafkajs 2.2.4
// and kcat/librdkafka): every frame decodes to the fields the client sent, with no byte left over.
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {Decoder, MalformedFrameError} from '../../src/broker/protocol/decoder.js'
import {Encoder} from '../../src/broker/protocol/encoder.js'
import {decodeRequestHeader} from '../../src/broker/protocol/header.js'
import {crc32c} from '../../src/broker/protocol/crc32c.js'
import {readBatchHeader, validateBatches} from '../../src/broker/protocol/record-batch.js'
import {ZERO_UUID, type MessageSchema} from '../../src/broker/protocol/schema.js'
import {ProduceRequestSchema} from '../../src/broker/protocol/apis/produce.js'
import {FetchRequestSchema} from '../../src/broker/protocol/apis/fetch.js'
import {ListOffsetsRequestSchema} from '../../src/broker/protocol/apis/list-offsets.js'
import {MetadataRequestSchema, MetadataResponseSchema} from '../../src/broker/protocol/apis/metadata.js'
import {decodeOffsetCommitRequest} from '../../src/broker/protocol/apis/offset-commit.js'
import {decodeOffsetFetchRequest} from '../../src/broker/protocol/apis/offset-fetch.js'
import {decodeFindCoordinatorRequest} from '../../src/broker/protocol/apis/find-coordinator.js'
import {decodeJoinGroupRequest} from '../../src/broker/protocol/apis/join-group.js'
import {decodeLeaveGroupRequest} from '../../src/broker/protocol/apis/leave-group.js'
import {decodeSyncGroupRequest} from '../../src/broker/protocol/apis/sync-group.js'
import {decodeDescribeGroupsRequest} from '../../src/broker/protocol/apis/describe-groups.js'
import {CreateTopicsRequestSchema} from '../../src/broker/protocol/apis/create-topics.js'
import {DeleteTopicsRequestSchema} from '../../src/broker/protocol/apis/delete-topics.js'
import {decodeDeleteGroupsRequest} from '../../src/broker/protocol/apis/delete-groups.js'
import {InitProducerIdRequestSchema} from '../../src/broker/protocol/apis/init-producer-id.js'
import {DescribeConfigsRequestSchema} from '../../src/broker/protocol/apis/describe-configs.js'
import {CreatePartitionsRequestSchema} from '../../src/broker/protocol/apis/create-partitions.js'
import {ROOT} from '../helpers/cli.js'

interface CapturedFrame {
  client: 'kafkajs' | 'kcat'
  apiKey: number
  apiVersion: number
  hex: string
}

const {frames} = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/broker-request-frames.json'), 'utf8')) as {
  frames: CapturedFrame[]
}

function open(client: string, apiKey: number): {decoder: Decoder; version: number} {
  const frame = frames.find((candidate) => candidate.client === client && candidate.apiKey === apiKey)
  if (!frame) throw new Error(`no captured ${client} frame for API ${apiKey}`)
  const decoder = new Decoder(Buffer.from(frame.hex, 'hex'))
  const header = decodeRequestHeader(decoder)
  expect(header).toMatchObject({apiKey, apiVersion: frame.apiVersion})
  return {decoder, version: header.apiVersion}
}

/** Decodes a captured frame with `decode` and checks every byte was consumed. */
function decodeFully<T>(client: string, apiKey: number, decode: (decoder: Decoder, version: number) => T): T {
  const {decoder, version} = open(client, apiKey)
  const request = decode(decoder, version)
  expect(decoder.remaining, `bytes left after API ${apiKey} v${version}`).toBe(0)
  return request
}

/** A schema's reader in the shape `decodeFully` takes. */
const reader =
  <T>(schema: MessageSchema<T>) =>
  (decoder: Decoder, version: number): T =>
    schema.read(decoder, version)

describe('request decoders against captured frames', () => {
  it('Produce v7 from kafkajs (idempotent) and kcat: topics, acks, and record batches whose CRC-32C holds', () => {
    const fromKafkajs = decodeFully('kafkajs', 0, reader(ProduceRequestSchema))
    expect(fromKafkajs).toMatchObject({
      acks: -1,
      transactionalId: null,
      topics: [{name: 'fixture-topic', partitions: [{partition: 0}]}],
    })
    const records = fromKafkajs.topics[0]!.partitions[0]!.records!
    const validated = validateBatches(records)
    expect('batches' in validated && validated.batches).toHaveLength(1)
    const header = readBatchHeader(records)!
    expect(header).toMatchObject({magic: 2, recordCount: 1, firstTimestamp: 1700000000000, baseSequence: 0})
    expect(header.producerId).toBeGreaterThanOrEqual(0)
    expect(records.includes(Buffer.from('user-1'))).toBe(true)

    const fromKcat = decodeFully('kcat', 0, reader(ProduceRequestSchema))
    expect(fromKcat.topics[0]!.name).toBe('kcat-fixture')
    expect('batches' in validateBatches(fromKcat.topics[0]!.partitions[0]!.records!)).toBe(true)
  })

  it('rejects a batch whose bytes no longer match its CRC', () => {
    const {decoder, version} = open('kafkajs', 0)
    const records = Buffer.from(ProduceRequestSchema.read(decoder, version).topics[0]!.partitions[0]!.records!)
    records[records.length - 1]! ^= 0xff
    expect(validateBatches(records)).toEqual({problem: 'crc'})
    records[16] = 1
    expect(validateBatches(records)).toEqual({problem: 'magic'})
    expect(validateBatches(records.subarray(0, 40))).toEqual({problem: 'magic'})
  })

  it('Fetch v11 from kafkajs and kcat', () => {
    for (const client of ['kafkajs', 'kcat']) {
      const request = decodeFully(client, 1, reader(FetchRequestSchema))
      expect(request.topics[0]!.topic).toBe(client === 'kcat' ? 'kcat-fixture' : 'fixture-topic')
      expect(request.topics[0]!.partitions[0]!.fetchOffset).toBeGreaterThanOrEqual(0)
      expect(request.maxBytes).toBeGreaterThan(0)
    }
  })

  it('ListOffsets v3 (kafkajs consumer) and v2 (kcat -o beginning): earliest is -2', () => {
    const fromKafkajs = decodeFully('kafkajs', 2, reader(ListOffsetsRequestSchema))
    expect(fromKafkajs.topics[0]!.partitions.map((partition) => partition.timestamp)).toEqual([-2, -2, -2])
    const earliest = decodeFully('kcat', 2, reader(ListOffsetsRequestSchema))
    expect(earliest.topics[0]!.partitions[0]!.timestamp).toBe(-2)
  })

  it('Metadata v6 (kafkajs) and v4 (kcat)', () => {
    expect(decodeFully('kafkajs', 3, reader(MetadataRequestSchema)).topics).not.toBeUndefined()
    const fromKcat = decodeFully('kcat', 3, reader(MetadataRequestSchema))
    expect(fromKcat.topics?.map((topic) => topic.name)).toEqual(['kcat-fixture'])
    expect(fromKcat.allowAutoTopicCreation).toBe(true)
  })

  it('the group APIs kafkajs sends', () => {
    expect(decodeFully('kafkajs', 10, decodeFindCoordinatorRequest)).toEqual({
      key: 'fixture-group',
      keyType: 0,
      coordinatorKeys: [],
    })
    const join = decodeFully('kafkajs', 11, decodeJoinGroupRequest)
    expect(join).toMatchObject({
      groupId: 'fixture-group',
      memberId: '',
      protocolType: 'consumer',
      groupInstanceId: null,
    })
    expect(join.protocols.map((protocol) => protocol.name)).toEqual(['RoundRobinAssigner'])
    const sync = decodeFully('kafkajs', 14, decodeSyncGroupRequest)
    expect(sync.groupId).toBe('fixture-group')
    expect(sync.assignments).toHaveLength(1)
    expect(decodeFully('kafkajs', 13, decodeLeaveGroupRequest).groupId).toBe('fixture-group')
    const commit = decodeFully('kafkajs', 8, decodeOffsetCommitRequest)
    expect(commit.topics[0]!.name).toBe('fixture-topic')
    expect(commit.generationId).toBeGreaterThan(0)
    expect(decodeFully('kafkajs', 9, decodeOffsetFetchRequest).groupId).toBe('fixture-group')
    expect(decodeFully('kafkajs', 15, decodeDescribeGroupsRequest)).toEqual({
      groups: ['fixture-group'],
      includeAuthorizedOperations: false,
    })
    expect(decodeFully('kafkajs', 42, decodeDeleteGroupsRequest)).toEqual({
      groups: ['fixture-group'],
    })
  })

  it('the admin APIs kafkajs sends', () => {
    const create = decodeFully('kafkajs', 19, (decoder, version) => CreateTopicsRequestSchema.read(decoder, version))
    expect(create.topics).toEqual([
      {
        name: 'fixture-topic',
        numPartitions: 2,
        replicationFactor: -1,
        assignments: [],
        configs: [{name: 'retention.ms', value: '60000'}],
      },
    ])
    expect(decodeFully('kafkajs', 20, reader(DeleteTopicsRequestSchema)).topicNames).toEqual(['fixture-topic'])
    expect(
      decodeFully('kafkajs', 22, (decoder, version) => InitProducerIdRequestSchema.read(decoder, version))
        .transactionalId,
    ).toBeNull()
    const describe = decodeFully('kafkajs', 32, (decoder, version) =>
      DescribeConfigsRequestSchema.read(decoder, version),
    )
    expect(describe.resources).toEqual([{resourceType: 2, resourceName: 'fixture-topic', configurationKeys: null}])
    const partitions = decodeFully('kafkajs', 37, (decoder, version) =>
      CreatePartitionsRequestSchema.read(decoder, version),
    )
    expect(partitions).toEqual({
      topics: [{name: 'fixture-topic', count: 3, assignments: null}],
      timeoutMs: expect.any(Number),
      validateOnly: false,
    })
  })

  it('ApiVersions: empty bodies from kafkajs (v2) and kcat (v0), and kcat opening with a flexible v3 request', () => {
    decodeFully('kafkajs', 18, () => undefined)
    const flexible = frames.find((frame) => frame.client === 'kcat' && frame.apiKey === 18 && frame.apiVersion === 3)
    expect(flexible).toBeDefined()
  })
})

describe('wire primitives', () => {
  it('CRC-32C matches the published check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa)
  })

  it('CRC-32C is the same whatever the alignment and length of the bytes', () => {
    const bytes = Buffer.from(Array.from({length: 300}, (_, index) => (index * 37 + 11) & 0xff))
    for (let offset = 0; offset < 8; offset++) {
      for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 33, 63, 64, 200]) {
        const view = bytes.subarray(offset, offset + length)
        expect(crc32c(view), `offset ${offset} length ${length}`).toBe(crc32c(Buffer.from(view)))
        expect(crc32c(bytes, offset, offset + length)).toBe(crc32c(Buffer.from(view)))
      }
    }
  })

  it('CRC-32C of a megabyte equals the bit-by-bit definition, from any start', () => {
    const bytes = Buffer.from(Array.from({length: 1_000_003}, (_, index) => (index * 7919 + (index >>> 9)) & 0xff))
    const bitByBit = (data: Buffer) => {
      let crc = 0xffffffff
      for (const byte of data) {
        crc ^= byte
        for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
      }
      return (crc ^ 0xffffffff) >>> 0
    }
    expect(crc32c(bytes)).toBe(bitByBit(bytes))
    expect(crc32c(bytes, 21, 654_321)).toBe(bitByBit(bytes.subarray(21, 654_321)))
  })

  it('a frame that lies about a length is malformed, never a huge allocation', () => {
    const lying = new Encoder().writeInt32(2_000_000_000).toBuffer()
    expect(() => new Decoder(lying).readArray((decoder) => decoder.readInt32())).toThrow(MalformedFrameError)
    expect(() => new Decoder(new Encoder().writeInt16(50).toBuffer()).readString()).toThrow(MalformedFrameError)
    expect(() => new Decoder(new Encoder().writeInt32(-5).toBuffer()).readBytes()).toThrow(MalformedFrameError)
  })

  it('encodes a Metadata v0 response kafkajs-style: brokers, then topics with partitions', () => {
    const encoder = MetadataResponseSchema.encode(0, {
      brokers: [{nodeId: 1, host: 'h', port: 9}],
      clusterId: 'c',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          topicId: ZERO_UUID,
          partitions: [
            {errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1]},
          ],
        },
      ],
    })
    expect(encoder.toBuffer().toString('hex')).toBe(
      [
        '00000001',
        '00000001',
        '0001',
        '68',
        '00000009',
        '00000001',
        '0000',
        '0001',
        '74',
        '00000001',
        '0000',
        '00000000',
        '00000001',
        '00000001',
        '00000001',
        '00000001',
        '00000001',
      ].join(''),
    )
  })
})
