// Where a replay reads from: a topic of the stack's Kafka, or a recording. Both are read as
// per-partition ranges of offsets, delivered in order in chunks.
import type {Kafka} from 'kafkajs'
import {withAdmin} from '../kafka/client.js'
import type {OffsetSpec} from '../kafka/offset-spec.js'
import {fileRange} from './file-range.js'
import {readRecording, type EventCheck} from './recording.js'
import type {PartitionRange} from './replay-record.js'
import {readTopicRange, type ChunkHandler} from './topic-reader.js'
import path from 'node:path'

export type SourceSpec = {kind: 'topic'; topic: string; brokers: string[]; kafka: Kafka} | {kind: 'file'; file: string}

export interface ReplaySource {
  /** `topic user-events` or `file fixtures/day-small.ndjson`. */
  label: string
  /** The name offsets are kept under: the topic, or `file:<basename>`. */
  key: string
  ranges: PartitionRange[]
  read(ranges: readonly PartitionRange[], onChunk: ChunkHandler): Promise<void>
}

const FILE_CHUNK = 2000

/** `signal` stops a read between chunks (Ctrl-C); the read then rejects with its reason. */
export async function openSource(
  spec: SourceSpec,
  from: OffsetSpec,
  to: OffsetSpec | undefined,
  partitions: number[] | undefined,
  check?: EventCheck,
  signal?: AbortSignal,
): Promise<ReplaySource> {
  if (spec.kind === 'topic') {
    const {resolveTopicRange} = await import('./topic-range.js')
    const ranges = await withAdmin(spec.brokers, ({admin}) =>
      resolveTopicRange(admin, {topic: spec.topic, from, ...(to ? {to} : {}), ...(partitions ? {partitions} : {})}),
    )
    return {
      label: `topic ${spec.topic}`,
      key: spec.topic,
      ranges,
      read: (wanted, onChunk) => readTopicRange(spec.kafka, spec.topic, wanted, onChunk, signal ? {signal} : {}),
    }
  }
  const records = await readRecording(spec.file, check)
  return {
    label: `file ${spec.file}`,
    key: `file:${path.basename(spec.file)}`,
    ranges: [fileRange(records, from, to)],
    read: async (wanted, onChunk) => {
      for (const range of wanted) {
        for (let start = range.start; start < range.end; start += FILE_CHUNK) {
          signal?.throwIfAborted()
          await onChunk(0, records.slice(start, Math.min(range.end, start + FILE_CHUNK)))
        }
      }
    },
  }
}
