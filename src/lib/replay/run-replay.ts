// `streamctl replay`: read a range of a source, paced or not, into a target — the projector's read
// models (rebuilt in shadow tables and swapped in), another topic, or the gateway — showing
// progress and returning what was replayed. `dryRun` reads the range and changes nothing.
import {describeOffsetSpec, REPLAY_WORDS} from '../kafka/offset-spec.js'
import {gatewaySink, topicSink, type ReplaySink} from './copy-targets.js'
import {describeSpeed, Pacer} from './pacer.js'
import {rebuildReadModels} from './projector-target.js'
import {rangeSize} from './replay-record.js'
import {openSource} from './replay-source.js'
import {ReplayStats} from './replay-stats.js'
import {summarise, targetLabel, type ReplayRequest, type ReplaySummary} from './replay-summary.js'

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
