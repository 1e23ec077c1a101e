import {Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'
import {StreamctlError} from '../lib/errors.js'
import {
  isReversedRange,
  offsetSpecHelpValue,
  offsetSpecHint,
  parseOffsetSpec,
  REPLAY_WORDS,
  type OffsetSpec,
} from '../lib/kafka/offset-spec.js'
import {parseSpeed, type Speed} from '../lib/replay/pacer.js'
import {parseSource, parseTarget, type TargetChoice} from '../lib/replay/replay-flags.js'
import type {ReplaySummary} from '../lib/replay/replay-summary.js'
import {formatDuration} from '../lib/text/duration.js'
import {formatTable} from '../lib/text/table.js'

const offsetFlag = (name: string) =>
  Flags.custom<OffsetSpec>({
    helpValue: offsetSpecHelpValue(REPLAY_WORDS),
    parse: async (input) => parseOffsetSpec(input, Date.now(), `--${name}`, REPLAY_WORDS),
  })

export default class Replay extends StreamctlCommand<typeof Replay> {
  static override summary =
    'Replay events from a topic or a recording into the projector (rebuild the read models), another topic, or the gateway.'
  static override description = `--from and --to take ${offsetSpecHint(REPLAY_WORDS)} (earliest and latest are accepted for beginning and end); a time picks the first event at or after it, and the range is [from, to). --to defaults to the log end when the replay starts; a --to before --from is refused.

Target projector rebuilds the read models into shadow tables with the projector's own fold, then swaps them in with one transaction (the live query side never sees half a rebuild) and moves the live projector's offsets to where the rebuild ended. A replay killed at any point resumes when run again with the same flags. --verify compares a deterministic checksum per read-model table, rebuilt against live, and exits 1 naming the tables that differ (nothing is swapped then).

Pacing keeps the original time between events, divided by --speed; max sends as fast as the target takes them.`
  static override examples = [
    '<%= config.bin %> replay --from beginning --target projector --verify',
    '<%= config.bin %> replay --from -2h --to -1h --target projector',
    '<%= config.bin %> replay --from 2026-11-24T20:00:00Z --topic user-events --partition 0 --dry-run',
    '<%= config.bin %> replay --source fixtures/day-small.ndjson --target gateway --speed 10x',
    '<%= config.bin %> replay --source fixtures/day-small.ndjson --target topic:user-events --speed max --timestamps now',
  ]
  static override flags = {
    from: offsetFlag('from')({
      default: {kind: 'earliest'},
      defaultHelp: async () => REPLAY_WORDS.earliest,
      description: 'Where the replay starts.',
    }),
    to: offsetFlag('to')({description: 'Where it stops, exclusive (default: the end when the replay starts).'}),
    source: Flags.string({
      default: 'topic',
      description: "topic (the stack's Kafka) or the path of an .ndjson recording, e.g. fixtures/day-small.ndjson.",
    }),
    topic: Flags.string({char: 't', description: 'Source topic (default: the user-events topic of the manifest).'}),
    partition: Flags.integer({
      char: 'p',
      min: 0,
      multiple: true,
      description: 'Replay only this partition (repeatable).',
    }),
    target: Flags.custom<TargetChoice>({parse: async (input) => parseTarget(input)})({
      default: {kind: 'projector'},
      defaultHelp: async () => 'projector',
      helpValue: 'projector|topic:<name>|gateway',
      description: 'Where the events go.',
    }),
    timestamps: Flags.option({
      options: ['original', 'now'] as const,
      default: 'original' as const,
      description:
        "Target topic:<name>: each record's timestamp is the event's original time, or the time it is sent. A topic deletes records older than its retention.ms, so original times older than that are refused.",
    })(),
    speed: Flags.custom<Speed>({parse: async (input) => parseSpeed(input)})({
      helpValue: 'max|<factor>x',
      description: 'Original pacing × factor (10x), or max (default: max for projector, 1x otherwise).',
    }),
    'dry-run': Flags.boolean({
      description: 'Print what would be replayed (counts per partition, time range); change nothing.',
    }),
    verify: Flags.boolean({
      description: 'Projector target: compare rebuilt and live read models; exit 1 naming the tables that differ.',
    }),
    group: Flags.string({
      description: "The live projector's consumer group (default: from the manifest, else projector).",
    }),
    brokers: Flags.string({
      env: 'KAFKA_BROKERS',
      helpGroup: 'ENDPOINTS',
      description: "Kafka brokers host:port[,…] (default: the running stack's).",
    }),
    'database-url': Flags.string({
      helpGroup: 'ENDPOINTS',
      description: "PostgreSQL of the read models (default: the running stack's).",
    }),
    gateway: Flags.string({
      helpGroup: 'ENDPOINTS',
      description: "Gateway base URL for --target gateway (default: the running stack's).",
    }),
    'api-key': Flags.string({
      helpGroup: 'ENDPOINTS',
      env: 'STREAMCTL_API_KEY',
      description: "API key for --target gateway (default: each seeded user's own key).",
    }),
    stack: stackFlag,
  }

  async run(): Promise<ReplaySummary> {
    const {flags} = this
    if (flags.verify && flags.target.kind !== 'projector')
      throw new StreamctlError('INVALID_FLAG', '--verify: only the projector target builds read models to verify')
    if (flags.timestamps !== 'original' && flags.target.kind !== 'topic')
      throw new StreamctlError('INVALID_FLAG', '--timestamps: only a topic:<name> target writes record timestamps')
    if (flags.to && isReversedRange(flags.from, flags.to)) {
      const typed = (name: 'from' | 'to', spec: OffsetSpec) =>
        `--${name} ${typedValue(this.argv, name) ?? REPLAY_WORDS.earliest}${spec.kind === 'timestamp' ? ` (${new Date(spec.timestamp).toISOString()})` : ''}`
      throw new StreamctlError(
        'INVALID_FLAG',
        `${typed('to', flags.to)} is before ${typed('from', flags.from)}: a replay covers [from, to)`,
        {
          hint: 'Swap the two values, or leave --to out to replay up to the end of the log.',
        },
      )
    }
    const [{runReplay}, {ReplayEndpoints}, {loadEventValidator}] = await Promise.all([
      import('../lib/replay/run-replay.js'),
      import('../lib/replay/replay-endpoints.js'),
      import('../lib/streamflow/event-schemas.js'),
    ])
    const stack = await this.loadStack(flags.stack)
    const endpoints = new ReplayEndpoints(stack, {
      ...(flags.brokers ? {brokers: flags.brokers} : {}),
      ...(flags['database-url'] ? {databaseUrl: flags['database-url']} : {}),
      ...(flags.gateway ? {gateway: flags.gateway} : {}),
      ...(flags['api-key'] ? {apiKey: flags['api-key']} : {}),
    })
    const source = parseSource(flags.source)
    const needsKafka = source.kind === 'topic' || flags.target.kind === 'topic'
    const kafka = needsKafka ? await openKafka(await endpoints.brokers()) : undefined
    const topic = flags.topic ?? endpoints.defaultTopic()
    const target = flags.target
    const dryRun = flags['dry-run'] === true
    // Ctrl-C stops the replay between chunks, so it cleans up (its consumer group, open
    // connections) instead of dying mid-write; a second Ctrl-C kills it outright.
    const summary = await this.withProgress(
      async ({reporter, signal}) =>
        runReplay({
          source:
            source.kind === 'topic'
              ? {kind: 'topic', topic, brokers: await endpoints.brokers(), kafka: kafka!}
              : source,
          target:
            target.kind === 'projector'
              ? {
                  kind: 'projector',
                  databaseUrl: dryRun ? '' : await endpoints.databaseUrl(),
                  group: flags.group ?? endpoints.projectorGroup(),
                  windowMs: endpoints.trendingWindowMs(),
                }
              : target.kind === 'topic'
                ? {kind: 'topic', topic: target.topic, kafka: kafka!, timestamps: flags.timestamps}
                : {kind: 'gateway', ...(dryRun ? {url: '', keyOf: () => undefined} : await endpoints.gateway())},
          from: flags.from,
          ...(flags.to ? {to: flags.to} : {}),
          rangeText: `from ${typedValue(this.argv, 'from') ?? REPLAY_WORDS.earliest} to ${typedValue(this.argv, 'to') ?? REPLAY_WORDS.latest}`,
          ...(flags.partition ? {partitions: [...new Set(flags.partition)]} : {}),
          speed: flags.speed ?? (target.kind === 'projector' ? 'max' : 1),
          dryRun,
          verify: flags.verify === true,
          validator: await loadEventValidator(stack.manifest, stack.dir, 'user-event'),
          reporter,
          signal,
        }),
      () =>
        new StreamctlError('REPLAY_INTERRUPTED', 'replay interrupted (Ctrl-C)', {
          hint:
            target.kind === 'projector'
              ? 'Nothing was swapped in. Run the same command again to resume the rebuild where it stopped.'
              : 'Events sent before the interruption stay sent; --from picks where to start again.',
        }),
    )
    this.printSummary(summary)
    if (summary.verify && !summary.verify.ok) {
      throw new StreamctlError(
        'REPLAY_VERIFY_FAILED',
        `rebuilt read models differ from the live ones: ${summary.verify.differing.join(', ')}`,
        {
          hint: 'Nothing was swapped. Compare the tables, or run without --verify to replace the live read models with the rebuild.',
          details: summary.verify,
        },
      )
    }
    return summary
  }

  private printSummary(summary: ReplaySummary): void {
    this.print(
      `${summary.dryRun ? 'dry run: would replay' : 'replayed'} ${summary.events} events from ${summary.source} → ${summary.target} (speed ${summary.speed})`,
    )
    this.print(
      formatTable([
        ['PARTITION', 'FROM', 'TO', 'EVENTS', 'FIRST EVENT', 'LAST EVENT', 'NOTE'],
        ...summary.partitions.map((p) => [
          p.partition,
          p.start,
          p.end,
          p.events,
          p.firstEventAt ?? '-',
          p.lastEventAt ?? '-',
          p.note ?? '',
        ]),
      ]),
    )
    if (summary.firstEventAt)
      this.print(
        `time range ${summary.firstEventAt} → ${summary.lastEventAt} (${formatDuration(summary.originalSpanMs ?? 0)} of events)`,
      )
    if (!summary.dryRun)
      this.print(
        `took ${formatDuration(summary.durationMs)} at ${summary.eventsPerSecond} events/s${summary.resumedAfter ? ` (resumed after ${summary.resumedAfter} events)` : ''}`,
      )
    if (summary.checksums)
      this.print(
        formatTable([
          ['TABLE', 'ROWS', 'CHECKSUM', ...(summary.verify ? ['LIVE', 'MATCH'] : [])],
          ...Object.entries(summary.checksums).map(([table, sum]) => [
            table,
            sum.rows,
            sum.md5,
            ...(summary.verify
              ? [
                  summary.verify.tables[table as keyof typeof summary.checksums].live.md5,
                  summary.verify.differing.includes(table as never) ? 'DIFFERS' : 'ok',
                ]
              : []),
          ]),
        ]),
      )
    if (summary.swapped) this.print('read models swapped in.')
  }
}

async function openKafka(brokers: string[]) {
  const {Kafka, logLevel} = await import('kafkajs')
  return new Kafka({
    clientId: 'streamctl-replay',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
  })
}

/** A flag's value as typed (`--from -2h` stays "-2h"), which names a replay for resuming it. */
function typedValue(argv: readonly string[], name: string): string | undefined {
  for (let index = argv.length - 1; index >= 0; index--) {
    const arg = argv[index]!
    if (arg === `--${name}`) return argv[index + 1]
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3)
  }
  return undefined
}
