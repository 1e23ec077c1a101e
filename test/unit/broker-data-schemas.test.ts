// The data-path and topic-discovery schemas (Produce, Fetch, ListOffsets, Metadata, DeleteTopics)
// read back what they write at their lowest and highest versions, where the highest is flexible.
import {describe, expect, it} from 'vitest'
import {SUPPORTED_VERSIONS, type ApiName} from '../../src/broker/protocol/api-keys.js'
import {Decoder} from '../../src/broker/protocol/decoder.js'
import {parseVersions, type FieldSpec, type MessageSchema} from '../../src/broker/protocol/schema.js'
import {ProduceRequestSchema, ProduceResponseSchema} from '../../src/broker/protocol/apis/produce.js'
import {FetchRequestSchema, FetchResponseSchema} from '../../src/broker/protocol/apis/fetch.js'
import {ListOffsetsRequestSchema, ListOffsetsResponseSchema} from '../../src/broker/protocol/apis/list-offsets.js'
import {MetadataRequestSchema, MetadataResponseSchema} from '../../src/broker/protocol/apis/metadata.js'
import {DeleteTopicsRequestSchema, DeleteTopicsResponseSchema} from '../../src/broker/protocol/apis/delete-topics.js'

const batch = Buffer.from('a stand-in for a record batch')
const topicId = '3f2a8c1e-5b7d-4e90-a1c2-d3e4f5a6b7c8'

/** `value` cut down to the fields `fields` has at `version`, the way a reader of that version sees it. */
function atVersion(fields: readonly FieldSpec[], version: number, value: Record<string, unknown>): object {
  const kept: Record<string, unknown> = {}
  for (const spec of fields) {
    const {min, max} = parseVersions(spec.versions)
    if (version < min || version > max || !(spec.name in value)) continue
    const item = value[spec.name]
    const struct = typeof spec.type === 'string' ? undefined : spec.type
    if (!struct || item === null) kept[spec.name] = item
    else if (spec.array)
      kept[spec.name] = (item as Array<Record<string, unknown>>).map((one) => atVersion(struct, version, one))
    else kept[spec.name] = atVersion(struct, version, item as Record<string, unknown>)
  }
  return kept
}

const cases: Array<{api: ApiName; schema: MessageSchema<never>; value: Record<string, unknown>}> = [
  {
    api: 'Produce',
    schema: ProduceRequestSchema as MessageSchema<never>,
    value: {
      transactionalId: 'tx-1',
      acks: -1,
      timeoutMs: 30_000,
      topics: [{name: 'orders', partitions: [{partition: 2, records: batch}]}],
    },
  },
  {
    api: 'Produce',
    schema: ProduceResponseSchema as MessageSchema<never>,
    value: {
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partition: 2,
              errorCode: 0,
              baseOffset: 2 ** 40,
              logAppendTimeMs: -1,
              logStartOffset: 7,
              recordErrors: [{batchIndex: 3, batchIndexErrorMessage: null}],
              errorMessage: 'bad record',
            },
          ],
        },
      ],
      throttleTimeMs: 5,
    },
  },
  {
    api: 'Fetch',
    schema: FetchRequestSchema as MessageSchema<never>,
    value: {
      clusterId: 'cluster-a',
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: 0,
              fetchOffset: 42,
              lastFetchedEpoch: 0,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 16,
            },
          ],
        },
      ],
      forgottenTopicsData: [{topic: 'old', partitions: [1, 2]}],
      rackId: 'rack-1',
    },
  },
  {
    api: 'Fetch',
    schema: FetchResponseSchema as MessageSchema<never>,
    value: {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      topics: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 0,
              errorCode: 0,
              highWatermark: 100,
              lastStableOffset: 90,
              logStartOffset: 0,
              divergingEpoch: {epoch: 1, endOffset: 80},
              currentLeader: {leaderId: 1, leaderEpoch: 0},
              snapshotId: {endOffset: 70, epoch: 2},
              abortedTransactions: [{producerId: 9, firstOffset: 91}],
              preferredReadReplica: -1,
              records: batch,
            },
          ],
        },
      ],
    },
  },
  {
    api: 'ListOffsets',
    schema: ListOffsetsRequestSchema as MessageSchema<never>,
    value: {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{name: 'orders', partitions: [{partition: 1, currentLeaderEpoch: -1, timestamp: -3, maxNumOffsets: 1}]}],
    },
  },
  {
    api: 'ListOffsets',
    schema: ListOffsetsResponseSchema as MessageSchema<never>,
    value: {
      throttleTimeMs: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partition: 1,
              errorCode: 0,
              oldStyleOffsets: [12],
              timestamp: 1_700_000_000_000,
              offset: 12,
              leaderEpoch: 0,
            },
          ],
        },
      ],
    },
  },
  {
    api: 'Metadata',
    schema: MetadataRequestSchema as MessageSchema<never>,
    value: {
      topics: [{topicId, name: 'orders'}],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    },
  },
  {
    api: 'Metadata',
    schema: MetadataResponseSchema as MessageSchema<never>,
    value: {
      throttleTimeMs: 0,
      brokers: [{nodeId: 1, host: 'localhost', port: 9092, rack: null}],
      clusterId: 'cluster-a',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId,
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 0,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    },
  },
  {
    api: 'DeleteTopics',
    schema: DeleteTopicsRequestSchema as MessageSchema<never>,
    value: {topics: [{name: null, topicId}], topicNames: ['orders'], timeoutMs: 30_000},
  },
  {
    api: 'DeleteTopics',
    schema: DeleteTopicsResponseSchema as MessageSchema<never>,
    value: {
      throttleTimeMs: 0,
      responses: [{name: 'orders', topicId, errorCode: 3, errorMessage: "Topic 'orders' does not exist."}],
    },
  },
]

describe('data-path and topic-discovery schemas', () => {
  for (const {api, schema, value} of cases) {
    const {minVersion, maxVersion} = SUPPORTED_VERSIONS[api]
    for (const version of [minVersion, maxVersion]) {
      it(`${schema.name} v${version} reads back what it wrote, and writes that again byte for byte`, () => {
        const written = schema.encode(version, value as never).toBuffer()
        const decoder = new Decoder(written)
        const read = schema.read(decoder, version) as Record<string, unknown>
        expect(decoder.remaining).toBe(0)
        expect(read).toMatchObject(atVersion(schema.fields, version, value))
        expect(schema.encode(version, read as never).toBuffer()).toEqual(written)
      })
    }
  }

  it('the highest versions are the flexible ones, the lowest are not', () => {
    for (const {api, schema} of cases) {
      expect(schema.isFlexible(SUPPORTED_VERSIONS[api].maxVersion), schema.name).toBe(true)
      expect(schema.isFlexible(SUPPORTED_VERSIONS[api].minVersion), schema.name).toBe(false)
    }
  })

  it('writes a fetched partition’s batches by reference, never copied into one buffer', () => {
    const batches = [Buffer.alloc(4096, 1), Buffer.alloc(2048, 2)]
    const partition = {
      partition: 0,
      errorCode: 0,
      highWatermark: 2,
      lastStableOffset: 2,
      logStartOffset: 0,
      abortedTransactions: null,
      records: batches,
    }
    for (const version of [4, 12, 17]) {
      const topics = [{topic: 't', topicId: '0f6c2a57-3b1e-4d2a-9c8e-5a7b1d3e9f01', partitions: [partition]}]
      const chunks = FetchResponseSchema.encode(version, {topics}).toChunks()
      expect(chunks).toContain(batches[0])
      expect(chunks).toContain(batches[1])
    }
  })
})
