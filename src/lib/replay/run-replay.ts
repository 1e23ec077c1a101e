// `streamctl replay`: read a range of a source, paced or not, into a target — the projector's read
// models (rebuilt in shadow tables and swapped in), another topic, or the gateway — showing
// progress and returning what was replayed. `dryRun` reads the range and changes nothing.
import type {Kafka} from 'kafkajs'
import {describeOffsetSpec, REPLAY_WORDS, type OffsetSpec} from '../kafka/offset-spec.js'
import type {ProgressReporter} from '../ui/reporter.js'
import type {EventValidator} from '../streamflow/event-schemas.js'
import type {UserEvent} from '../streamflow/event-types.js'
import {gatewaySink, topicSink, type GatewaySinkOptions, type ReplaySink, type TimestampMode} from './copy-targets.js'
import {describeSpeed, Pacer, type Speed} from './pacer.js'
import {rangeSize, type PartitionRange} from './replay-record.js'
import {openSource, type SourceSpec} from './replay-source.js'
import {ReplayStats, type PartitionSummary} from './replay-stats.js'
import type {ReadModelTable, TableChecksum} from './read-model-checksum.js'
import {rebuildReadModels} from './projector-target.js'

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

export async function runReplay(request: ReplayRequest): Promise<ReplaySummary> {
  const needsUserEvents = request.target.kind !== 'topic'
  const check = needsUserEvents
    ? (event: Record<string, unknown>) => (request.validator(event) ? [] : request.validator.problems())
    : undefined
  const source = await openSource(request.source, request.from, request.to, request.partitions, check, request.signal)
  const pacer = new Pacer(request.speed, request.signal)
  const base = {
    source: source.label,
    target: targetLabel(request.target),
    dryRun: request.dryRun,
    speed: describeSpeed(request.speed),
    from: describeOffsetSpec(request.from, REPLAY_WORDS),
    to: request.to ? describeOffsetSpec(request.to, REPLAY_WORDS) : 'the end at start',
  }

  if (request.dryRun) {
    const stats = new ReplayStats(
      request.reporter.task(`reading ${source.label} (dry run)`, {total: rangeSize(source.ranges), unit: 'events'}),
      rangeSize(source.ranges),
    )
    await source.read(source.ranges, async (partition, records) => stats.count(partition, records))
    return summarise(base, stats, source.ranges, pacer)
  }
  if (request.target.kind === 'projector') {
    return rebuildReadModels({request, target: request.target, source, pacer, base})
  }
  const sink: ReplaySink =
    request.target.kind === 'topic'
      ? await topicSink(request.target.kafka, request.target.topic, request.target.timestamps)
      : await gatewaySink(request.target)
  const total = rangeSize(source.ranges)
  const task = request.reporter.task(`replaying ${source.label} → ${base.target}`, {total, unit: 'events'})
  const stats = new ReplayStats(task, total)
  try {
    await source.read(source.ranges, (partition, records) =>
      pacer.release(records, async (due) => {
        await sink.write(due)
        stats.count(partition, due)
      }),
    )
    task.succeed(`${stats.done} events`)
  } catch (error) {
    task.fail((error as Error).message)
    throw error
  } finally {
    await sink.close().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
  }
  return summarise(base, stats, source.ranges, pacer)
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
