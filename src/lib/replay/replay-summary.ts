// A replay's request and its summary, shared by the copy path (run-replay.ts) and the projector
// rebuild (projector-target.ts): what to read, where it goes, and what happened.
import type {Kafka} from 'kafkajs'
import type {OffsetSpec} from '../kafka/offset-spec.js'
import type {EventValidator} from '../streamflow/event-schemas.js'
import type {UserEvent} from '../streamflow/event-types.js'
import type {ProgressReporter} from '../ui/reporter.js'
import type {GatewaySinkOptions, TimestampMode} from './copy-targets.js'
import type {Pacer, Speed} from './pacer.js'
import type {ReadModelTable, TableChecksum} from './read-model-checksum.js'
import type {PartitionRange} from './replay-record.js'
import type {SourceSpec} from './replay-source.js'
import type {PartitionSummary, ReplayStats} from './replay-stats.js'

export type TargetSpec =
  | {kind: 'projector'; databaseUrl: string; group: string; windowMs: number}
  | {kind: 'topic'; topic: string; kafka: Kafka; timestamps: TimestampMode}
  | ({kind: 'gateway'} & GatewaySinkOptions)

export interface ReplayRequest {
  source: SourceSpec
  target: TargetSpec
  from: OffsetSpec
  to?: OffsetSpec
  /** The flags as typed, which identify a replay for resuming it. */
  rangeText: string
  partitions?: number[]
  speed: Speed
  dryRun: boolean
  verify: boolean
  validator: EventValidator<UserEvent>
  reporter: ProgressReporter
  /** Ctrl-C: the replay stops between chunks and rejects; a projector rebuild resumes when run again. */
  signal?: AbortSignal
}

export interface VerifyResult {
  ok: boolean
  differing: ReadModelTable[]
  tables: Record<ReadModelTable, {live: TableChecksum; rebuilt: TableChecksum}>
}

export interface ReplaySummary {
  source: string
  target: string
  dryRun: boolean
  speed: string
  /** --from and --to as resolved, e.g. "first record at or after 2026-11-24T20:00:00.000Z". */
  from: string
  to: string
  events: number
  partitions: PartitionSummary[]
  firstEventAt?: string
  lastEventAt?: string
  durationMs: number
  eventsPerSecond: number
  /** Original time between the first and last event, and the wall time between sending them. */
  originalSpanMs?: number
  pacedSpanMs?: number
  /** Events an interrupted replay had already folded; this run resumed after them. */
  resumedAfter?: number
  /** Checksums of the rebuilt read models (projector target). */
  checksums?: Record<ReadModelTable, TableChecksum>
  swapped?: boolean
  verify?: VerifyResult
}

export function targetLabel(target: TargetSpec): string {
  return target.kind === 'topic' ? `topic:${target.topic}` : target.kind
}

export function summarise(
  base: Pick<ReplaySummary, 'source' | 'target' | 'dryRun' | 'speed' | 'from' | 'to'>,
  stats: ReplayStats,
  ranges: readonly PartitionRange[],
  pacer: Pacer,
): ReplaySummary {
  const partitions = stats.partitions(ranges)
  const firsts = partitions.flatMap((partition) => (partition.firstEventAt ? [Date.parse(partition.firstEventAt)] : []))
  const lasts = partitions.flatMap((partition) => (partition.lastEventAt ? [Date.parse(partition.lastEventAt)] : []))
  const first = firsts.length > 0 ? Math.min(...firsts) : undefined
  const last = lasts.length > 0 ? Math.max(...lasts) : undefined
  return {
    ...base,
    events: stats.done - stats.resumedFrom,
    partitions,
    ...(first === undefined
      ? {}
      : {
          firstEventAt: new Date(first).toISOString(),
          lastEventAt: new Date(last!).toISOString(),
          originalSpanMs: last! - first,
        }),
    durationMs: Math.round(stats.elapsedMs()),
    eventsPerSecond: Math.round(stats.rate()),
    ...(pacer.firstReleaseAt === undefined
      ? {}
      : {pacedSpanMs: Math.round(pacer.lastReleaseAt! - pacer.firstReleaseAt)}),
    ...(stats.resumedFrom > 0 ? {resumedAfter: stats.resumedFrom} : {}),
  }
}

/** Splits a chunk into pieces of at most `size` records, for bounded transactions. */
export function pieces<T>(records: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let start = 0; start < records.length; start += size) out.push(records.slice(start, start + size))
  return out
}
