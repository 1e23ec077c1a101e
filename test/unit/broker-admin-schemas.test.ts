// The admin APIs' message schemas at their lowest and highest versions: what a client writes is
// what the broker reads, fields a version lacks read as Kafka's defaults, and a flexible version
// has the compact layout Kafka's protocol guide gives.
import {describe, expect, it} from 'vitest'
import {SUPPORTED_VERSIONS, type ApiName} from '../../src/broker/protocol/api-keys.js'
import {Decoder} from '../../src/broker/protocol/decoder.js'
import type {MessageSchema} from '../../src/broker/protocol/schema.js'
import {CreateTopicsRequestSchema, CreateTopicsResponseSchema} from '../../src/broker/protocol/apis/create-topics.js'
import {
  CreatePartitionsRequestSchema,
  CreatePartitionsResponseSchema,
} from '../../src/broker/protocol/apis/create-partitions.js'
import {
  DescribeConfigsRequestSchema,
  DescribeConfigsResponseSchema,
} from '../../src/broker/protocol/apis/describe-configs.js'
import {
  AlterConfigsRequestSchema,
  AlterConfigsResponseSchema,
  IncrementalAlterConfigsRequestSchema,
  IncrementalAlterConfigsResponseSchema,
} from '../../src/broker/protocol/apis/alter-configs.js'
import {DeleteRecordsRequestSchema, DeleteRecordsResponseSchema} from '../../src/broker/protocol/apis/delete-records.js'
import {
  DescribeClusterRequestSchema,
  DescribeClusterResponseSchema,
} from '../../src/broker/protocol/apis/describe-cluster.js'

const roundTrip = <T>(schema: MessageSchema<T>, version: number, value: T): T => {
  const decoder = new Decoder(schema.encode(version, value).toBuffer())
  const read = schema.read(decoder, version)
  expect(decoder.remaining, `${schema.name} v${version}: bytes left`).toBe(0)
  return read
}

const config = {
  name: 'retention.ms',
  value: '1000',
  readOnly: false,
  isDefault: false,
  configSource: 1,
  isSensitive: false,
  synonyms: [{name: 'retention.ms', value: '1000', source: 1}],
  configType: 5,
  documentation: 'How long.',
}

/** Per API: request and response schemas, a value with every field set, and what v-lowest keeps of it. */
const cases: Array<{
  api: ApiName
  schema: MessageSchema<never>
  full: Record<string, unknown>
  lowest: Record<string, unknown>
}> = [
  {
    api: 'CreateTopics',
    schema: CreateTopicsRequestSchema as never,
    full: {
      topics: [
        {
          name: 't',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{partitionIndex: 0, brokerIds: [1]}],
          configs: [{name: 'retention.ms', value: null}],
        },
      ],
      timeoutMs: 500,
      validateOnly: true,
    },
    lowest: {validateOnly: false},
  },
  {
    api: 'CreateTopics',
    schema: CreateTopicsResponseSchema as never,
    full: {
      throttleTimeMs: 3,
      topics: [
        {
          name: 't',
          topicId: '01234567-89ab-cdef-0123-456789abcdef',
          errorCode: 0,
          errorMessage: null,
          topicConfigErrorCode: 40,
          numPartitions: 2,
          replicationFactor: 1,
          configs: [{name: 'retention.ms', value: '1', readOnly: false, configSource: 1, isSensitive: false}],
        },
      ],
    },
    lowest: {throttleTimeMs: 0, topics: [expect.objectContaining({name: 't', numPartitions: -1, configs: []})]},
  },
  {
    api: 'CreatePartitions',
    schema: CreatePartitionsRequestSchema as never,
    full: {
      topics: [{name: 't', count: 3, assignments: [{brokerIds: [1]}, {brokerIds: [1]}]}],
      timeoutMs: 1,
      validateOnly: true,
    },
    lowest: {topics: [{name: 't', count: 3, assignments: [{brokerIds: [1]}, {brokerIds: [1]}]}]},
  },
  {
    api: 'CreatePartitions',
    schema: CreatePartitionsResponseSchema as never,
    full: {throttleTimeMs: 0, results: [{name: 't', errorCode: 39, errorMessage: 'unknown broker 7'}]},
    lowest: {results: [{name: 't', errorCode: 39, errorMessage: 'unknown broker 7'}]},
  },
  {
    api: 'DescribeConfigs',
    schema: DescribeConfigsRequestSchema as never,
    full: {
      resources: [{resourceType: 2, resourceName: 't', configurationKeys: null}],
      includeSynonyms: true,
      includeDocumentation: true,
    },
    lowest: {includeSynonyms: false, includeDocumentation: false},
  },
  {
    api: 'DescribeConfigs',
    schema: DescribeConfigsResponseSchema as never,
    full: {
      throttleTimeMs: 0,
      results: [{errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', configs: [config]}],
    },
    lowest: {
      results: [
        expect.objectContaining({
          configs: [{...config, configSource: -1, synonyms: [], configType: 0, documentation: null}],
        }),
      ],
    },
  },
  {
    api: 'AlterConfigs',
    schema: AlterConfigsRequestSchema as never,
    full: {
      resources: [{resourceType: 2, resourceName: 't', configs: [{name: 'retention.ms', value: '5'}]}],
      validateOnly: true,
    },
    lowest: {validateOnly: true},
  },
  {
    api: 'AlterConfigs',
    schema: AlterConfigsResponseSchema as never,
    full: {throttleTimeMs: 0, responses: [{errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't'}]},
    lowest: {responses: [{errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't'}]},
  },
  {
    api: 'IncrementalAlterConfigs',
    schema: IncrementalAlterConfigsRequestSchema as never,
    full: {
      resources: [
        {resourceType: 2, resourceName: 't', configs: [{name: 'cleanup.policy', configOperation: 2, value: 'compact'}]},
      ],
      validateOnly: false,
    },
    lowest: {resources: [expect.objectContaining({resourceName: 't'})]},
  },
  {
    api: 'IncrementalAlterConfigs',
    schema: IncrementalAlterConfigsResponseSchema as never,
    full: {throttleTimeMs: 0, responses: [{errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't'}]},
    lowest: {responses: [{errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't'}]},
  },
  {
    api: 'DeleteRecords',
    schema: DeleteRecordsRequestSchema as never,
    full: {topics: [{name: 't', partitions: [{partitionIndex: 0, offset: -1}]}], timeoutMs: 1000},
    lowest: {topics: [{name: 't', partitions: [{partitionIndex: 0, offset: -1}]}]},
  },
  {
    api: 'DeleteRecords',
    schema: DeleteRecordsResponseSchema as never,
    full: {
      throttleTimeMs: 0,
      topics: [{name: 't', partitions: [{partitionIndex: 0, lowWatermark: 2 ** 40, errorCode: 0}]}],
    },
    lowest: {topics: [{name: 't', partitions: [{partitionIndex: 0, lowWatermark: 2 ** 40, errorCode: 0}]}]},
  },
  {
    api: 'DescribeCluster',
    schema: DescribeClusterRequestSchema as never,
    full: {includeClusterAuthorizedOperations: true, endpointType: 2},
    lowest: {includeClusterAuthorizedOperations: true, endpointType: 1},
  },
  {
    api: 'DescribeCluster',
    schema: DescribeClusterResponseSchema as never,
    full: {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 2,
      clusterId: 'c',
      controllerId: 1,
      brokers: [{brokerId: 1, host: 'localhost', port: 9092, rack: null}],
      clusterAuthorizedOperations: -2147483648,
    },
    lowest: {endpointType: 1, clusterId: 'c', brokers: [{brokerId: 1, host: 'localhost', port: 9092, rack: null}]},
  },
]

describe('admin API schemas', () => {
  for (const {api, schema, full, lowest} of cases) {
    const {minVersion, maxVersion} = SUPPORTED_VERSIONS[api]
    it(`${schema.name}: v${maxVersion} keeps every field, v${minVersion} keeps its own and defaults the rest`, () => {
      expect(schema.isFlexible(maxVersion)).toBe(true)
      expect(roundTrip(schema, maxVersion, full as never)).toEqual(full)
      expect(roundTrip(schema, minVersion, full as never)).toMatchObject(lowest)
    })
  }

  it('writes DeleteRecords v2 with compact arrays and strings and a tagged section per struct', () => {
    const body = DeleteRecordsRequestSchema.encode(2, {
      topics: [{name: 'ab', partitions: [{partitionIndex: 1, offset: 7}]}],
      timeoutMs: 100,
    })
    // topics: 1+1; name: len 2+1, 'a', 'b'; partitions: 1+1; index; offset int64; partition tags;
    // topic tags; timeout; top-level tags.
    expect([...body.toBuffer()]).toEqual([2, 3, 97, 98, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 100, 0])
    // v0 of the same: int16 string length and int32 array counts, no tagged sections.
    expect([...DeleteRecordsRequestSchema.encode(0, {topics: [], timeoutMs: 100}).toBuffer()]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 100,
    ])
  })
})
