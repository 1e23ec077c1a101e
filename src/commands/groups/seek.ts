import {Args, Flags} from '@oclif/core'
import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'
import type {SeekResult} from '../../lib/kafka/seek.js'
import {OFFSET_SPEC_HINT, parseOffsetSpec, type OffsetSpec} from '../../lib/kafka/offset-spec.js'
import {formatTable} from '../../lib/text/table.js'

const offsetSpecFlag = Flags.custom<OffsetSpec>({
  helpValue: 'earliest|latest|<offset>|<ISO time>|-<duration>',
  parse: async (input) => parseOffsetSpec(input),
})

export default class GroupsSeek extends KafkaCommand<typeof GroupsSeek> {
  static override summary =
    'Move a stopped consumer group to new offsets: a dry run that prints the plan, applied with --execute.'
  static override description = `--to takes ${OFFSET_SPEC_HINT}. Times are resolved per partition through ListOffsets to the first record at or after that time (the log end when there is none), and only those concrete offsets are committed. An offset outside a partition's log is moved to its nearest end.

Like kafka-consumer-groups --reset-offsets and rpk group seek, it refuses a group that has live members: stop its consumers first. The commit itself is one that Kafka accepts only for an empty group.`
  static override examples = [
    '<%= config.bin %> groups seek projector --to -2h',
    '<%= config.bin %> groups seek projector --to 2026-11-25T08:00:00Z --topic user-events --execute',
    '<%= config.bin %> groups seek projector --to earliest --execute',
  ]
  static override args = {group: Args.string({required: true, description: 'Consumer group id'})}
  static override flags = {
    to: offsetSpecFlag({required: true, description: 'Where to move the group.'}),
    topic: Flags.string({
      char: 't',
      multiple: true,
      description: 'Topic to move (repeatable; default: every topic the group has committed offsets on).',
    }),
    execute: Flags.boolean({description: 'Commit the new offsets (without it, only the plan is printed).'}),
    ...kafkaFlags,
  }

  async run(): Promise<SeekResult> {
    const {seekGroup} = await import('../../lib/kafka/seek.js')
    const result = await this.withKafka((client) =>
      seekGroup(client, {
        group: this.args.group,
        spec: this.flags.to,
        execute: this.flags.execute === true,
        ...(this.flags.topic ? {topics: [...new Set(this.flags.topic)]} : {}),
      }),
    )
    this.print(`group ${result.group} (${result.state}) → ${result.to}\n`)
    this.print(
      formatTable([
        ['TOPIC', 'PARTITION', 'CURRENT', 'TARGET', 'EARLIEST', 'LATEST', 'NOTE'],
        ...result.moves.map((move) => [
          move.topic,
          move.partition,
          move.current ?? '-',
          move.target,
          move.earliest,
          move.latest,
          move.note ?? '',
        ]),
      ]),
    )
    this.print(
      result.executed
        ? `\ncommitted ${result.moves.length} offset${result.moves.length === 1 ? '' : 's'} for group ${result.group}.`
        : '\ndry run: nothing was committed. Add --execute to apply this plan.',
    )
    return result
  }
}
