// The `projector` target of a replay: fold the range into shadow read models (resuming a killed
// run), then swap them in. When --to is the log end, the rebuild first catches up with the live
// projector — whatever it folded while the rebuild ran is folded too — so the swap loses nothing;
// with --verify the swap happens only if the rebuilt tables equal the live ones.
import type {ReplaySource} from './replay-source.js'
import type {Pacer} from './pacer.js'
import {rangeSize, type PartitionRange, type ReplayRecord} from './replay-record.js'
import {ReplayStats} from './replay-stats.js'
import {
  pieces,
  summarise,
  type ReplayRequest,
  type ReplaySummary,
  type TargetSpec,
  type VerifyResult,
} from './replay-summary.js'
import {READ_MODEL_TABLES} from './read-model-checksum.js'
import {ShadowRebuild, type SwapOutcome} from './shadow-rebuild.js'

const FOLD_BATCH = 5000
const MAX_CATCH_UPS = 10

interface RebuildInput {
  request: ReplayRequest
  target: Extract<TargetSpec, {kind: 'projector'}>
  source: ReplaySource
  pacer: Pacer
  base: Pick<ReplaySummary, 'source' | 'target' | 'dryRun' | 'speed' | 'from' | 'to'>
}

export async function rebuildReadModels({request, target, source, pacer, base}: RebuildInput): Promise<ReplaySummary> {
  const planKey = JSON.stringify({
    source: source.key,
    range: request.rangeText,
    partitions: request.partitions ?? 'all',
  })
  const opened = await ShadowRebuild.open(
    {
      databaseUrl: target.databaseUrl,
      planKey,
      sourceLabel: source.key,
      windowMs: target.windowMs,
      accept: request.validator,
    },
    source.ranges,
  )
  const {rebuild} = opened
  let ranges = opened.ranges
  try {
    const folded = await rebuild.progress()
    const remaining = ranges.map((range) => ({
      ...range,
      start: Math.min(range.end, Math.max(range.start, folded.get(range.partition) ?? range.start)),
    }))
    const total = rangeSize(ranges)
    const task = request.reporter.task(
      `rebuilding read models from ${source.label}${opened.resumed ? ' (resumed)' : ''}`,
      {total, unit: 'events'},
    )
    const stats = new ReplayStats(task, total, total - rangeSize(remaining))
    const fold = (partition: number, records: ReplayRecord[]) =>
      pacer.release(records, async (due) => {
        for (const piece of pieces(due, FOLD_BATCH)) {
          await rebuild.fold(partition, piece)
          stats.count(partition, piece)
        }
      })
    let outcome: SwapOutcome
    try {
      await source.read(remaining, fold)
      const liveGroup = request.source.kind === 'topic' ? {group: target.group, topic: source.key} : undefined
      const catchUp = liveGroup !== undefined && request.to === undefined
      for (let attempt = 0; ; attempt++) {
        outcome = await rebuild.swap(ranges, {
          ...(liveGroup ? {liveGroup} : {}),
          verify: request.verify,
          catchUp: catchUp && attempt < MAX_CATCH_UPS,
        })
        if (outcome.kind !== 'behind') break
        const extended = extendTo(ranges, outcome.liveOffsets)
        await rebuild.extend(extended)
        stats.total = rangeSize(extended)
        await source.read(
          extended.map((range, index) => ({...range, start: ranges[index]!.end})),
          fold,
        )
        ranges = extended
      }
      task.succeed(
        outcome.kind === 'swapped'
          ? `${stats.done} events folded, read models swapped in`
          : `${stats.done} events folded; differs from live: ${outcome.differing.join(', ')}`,
      )
    } catch (error) {
      task.fail((error as Error).message)
      throw error
    }
    return {
      ...summarise(base, stats, ranges, pacer),
      checksums: outcome.rebuilt,
      swapped: outcome.kind === 'swapped',
      ...(request.verify ? {verify: verifyResult(outcome)} : {}),
    }
  } finally {
    await rebuild.close()
  }
}

function extendTo(ranges: readonly PartitionRange[], liveOffsets: Map<number, number>): PartitionRange[] {
  return ranges.map((range) => ({...range, end: Math.max(range.end, liveOffsets.get(range.partition) ?? range.end)}))
}

function verifyResult(outcome: Exclude<SwapOutcome, {kind: 'behind'}>): VerifyResult {
  const tables = Object.fromEntries(
    READ_MODEL_TABLES.map((table) => [table, {live: outcome.live[table], rebuilt: outcome.rebuilt[table]}]),
  ) as VerifyResult['tables']
  return {ok: outcome.kind === 'swapped', differing: outcome.kind === 'differs' ? outcome.differing : [], tables}
}
