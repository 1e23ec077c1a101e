// The APIs and versions this broker speaks, and where each API's flexible versions (KIP-482:
// compact forms, tagged fields, request header v2 and response header v1) begin. Old versions stay
// for kafkajs and librdkafka; the flexible ones up to what current clients send are for clients
// that start there (@platformatic/kafka, the Java client).

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
  DescribeCluster: 60,
} as const

export type ApiName = keyof typeof ApiKey

export interface VersionRange {
  minVersion: number
  maxVersion: number
}

export interface ApiVersionSpec extends VersionRange {
  /** The first flexible version, when this broker serves any. */
  flexibleFrom?: number
}

export const SUPPORTED_VERSIONS: Record<ApiName, ApiVersionSpec> = {
  Produce: {minVersion: 3, maxVersion: 9, flexibleFrom: 9},
  Fetch: {minVersion: 4, maxVersion: 17, flexibleFrom: 12},
  ListOffsets: {minVersion: 0, maxVersion: 7, flexibleFrom: 6},
  Metadata: {minVersion: 0, maxVersion: 12, flexibleFrom: 9},
  OffsetCommit: {minVersion: 0, maxVersion: 8, flexibleFrom: 8},
  OffsetFetch: {minVersion: 1, maxVersion: 8, flexibleFrom: 6},
  FindCoordinator: {minVersion: 0, maxVersion: 4, flexibleFrom: 3},
  JoinGroup: {minVersion: 0, maxVersion: 9, flexibleFrom: 6},
  Heartbeat: {minVersion: 0, maxVersion: 4, flexibleFrom: 4},
  LeaveGroup: {minVersion: 0, maxVersion: 5, flexibleFrom: 4},
  SyncGroup: {minVersion: 0, maxVersion: 5, flexibleFrom: 4},
  DescribeGroups: {minVersion: 0, maxVersion: 5, flexibleFrom: 5},
  ListGroups: {minVersion: 0, maxVersion: 4, flexibleFrom: 3},
  ApiVersions: {minVersion: 0, maxVersion: 3, flexibleFrom: 3},
  CreateTopics: {minVersion: 0, maxVersion: 7, flexibleFrom: 5},
  DeleteTopics: {minVersion: 0, maxVersion: 6, flexibleFrom: 4},
  InitProducerId: {minVersion: 0, maxVersion: 4, flexibleFrom: 2},
  AddPartitionsToTxn: {minVersion: 0, maxVersion: 3, flexibleFrom: 3},
  AddOffsetsToTxn: {minVersion: 0, maxVersion: 3, flexibleFrom: 3},
  EndTxn: {minVersion: 0, maxVersion: 3, flexibleFrom: 3},
  TxnOffsetCommit: {minVersion: 0, maxVersion: 3, flexibleFrom: 3},
  DescribeConfigs: {minVersion: 0, maxVersion: 4, flexibleFrom: 4},
  AlterConfigs: {minVersion: 0, maxVersion: 2, flexibleFrom: 2},
  CreatePartitions: {minVersion: 0, maxVersion: 3, flexibleFrom: 2},
  DeleteGroups: {minVersion: 0, maxVersion: 2, flexibleFrom: 2},
  OffsetDelete: {minVersion: 0, maxVersion: 0},
  DeleteRecords: {minVersion: 0, maxVersion: 2, flexibleFrom: 2},
  IncrementalAlterConfigs: {minVersion: 0, maxVersion: 1, flexibleFrom: 1},
  DescribeCluster: {minVersion: 0, maxVersion: 1, flexibleFrom: 0},
}

const NAME_BY_KEY = new Map<number, ApiName>(Object.entries(ApiKey).map(([name, key]) => [key, name as ApiName]))

export function apiName(key: number): ApiName | undefined {
  return NAME_BY_KEY.get(key)
}

export function supportsVersion(name: ApiName, version: number): boolean {
  const range = SUPPORTED_VERSIONS[name]
  return version >= range.minVersion && version <= range.maxVersion
}

/** Whether `version` of the API is a flexible one. */
export function isFlexible(name: ApiName, version: number): boolean {
  const from = SUPPORTED_VERSIONS[name].flexibleFrom
  return from !== undefined && version >= from
}

/** An API's flexible versions as a message schema writes them (`"9+"`, or `"none"`). */
export function flexibleVersions(name: ApiName): string {
  const from = SUPPORTED_VERSIONS[name].flexibleFrom
  return from === undefined ? 'none' : `${from}+`
}

/** The ApiVersions list: every API with its supported range, sorted by key. */
export function advertisedVersions(): Array<{apiKey: number} & VersionRange> {
  return Object.entries(SUPPORTED_VERSIONS)
    .map(([name, range]) => ({
      apiKey: ApiKey[name as ApiName],
      minVersion: range.minVersion,
      maxVersion: range.maxVersion,
    }))
    .sort((left, right) => left.apiKey - right.apiKey)
}

/** Per row of the README's table of served APIs. */
const TABLE_COLUMNS = 3

/**
 * The APIs served, as the Markdown table the README carries (generated, so it cannot drift):
 * `Name (key)` and `min–max`, with `(n+)` where the flexible versions begin.
 */
export function servedApisTable(): string {
  const cells = Object.entries(SUPPORTED_VERSIONS)
    .map(([name, range]) => ({name, key: ApiKey[name as ApiName], range}))
    .sort((left, right) => left.key - right.key)
    .map(({name, key, range}) => {
      const flexible = range.flexibleFrom === undefined ? '' : ` (${range.flexibleFrom}+)`
      return [`${name} (${key})`, `${range.minVersion}–${range.maxVersion}${flexible}`]
    })
  const rows = ['| API (key) | versions '.repeat(TABLE_COLUMNS) + '|', '|---|---'.repeat(TABLE_COLUMNS) + '|']
  for (let start = 0; start < cells.length; start += TABLE_COLUMNS) {
    const row = cells.slice(start, start + TABLE_COLUMNS)
    while (row.length < TABLE_COLUMNS) row.push(['', ''])
    rows.push(`| ${row.map((cell) => cell.join(' | ')).join(' | ')} |`)
  }
  return rows.join('\n')
}
