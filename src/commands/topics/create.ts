import {Args, Flags} from '@oclif/core'
import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'
import {StreamctlError} from '../../lib/errors.js'
import type {NewTopic} from '../../lib/kafka/topic-changes.js'

const configFlag = Flags.custom<[string, string]>({
  helpValue: 'key=value',
  parse: async (input) => {
    const match = /^([a-z0-9._-]+)=(.*)$/i.exec(input)
    if (!match)
      throw new StreamctlError('INVALID_FLAG', `--config ${input}: expected key=value, e.g. retention.ms=86400000`)
    return [match[1]!, match[2]!]
  },
})

export interface TopicsCreateResult {
  created: NewTopic
}

export default class TopicsCreate extends KafkaCommand<typeof TopicsCreate> {
  static override summary = 'Create a topic.'
  static override examples = [
    '<%= config.bin %> topics create clicks --partitions 6',
    '<%= config.bin %> topics create audit --partitions 1 --config retention.ms=86400000 --config cleanup.policy=delete',
  ]
  static override args = {topic: Args.string({required: true, description: 'Topic name'})}
  static override flags = {
    partitions: Flags.integer({char: 'p', default: 1, min: 1, max: 10_000, description: 'Number of partitions.'}),
    'replication-factor': Flags.integer({
      char: 'r',
      default: 1,
      min: 1,
      max: 32,
      description: 'Replicas per partition.',
    }),
    config: configFlag({char: 'c', multiple: true, description: 'A topic config key=value; repeat for more.'}),
    ...kafkaFlags,
  }

  async run(): Promise<TopicsCreateResult> {
    const name = this.args.topic
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name))
      throw new StreamctlError('INVALID_FLAG', `topic name "${name}": use 1–249 letters, digits, ".", "_" or "-"`)
    const topic: NewTopic = {
      name,
      partitions: this.flags.partitions,
      replication: this.flags['replication-factor'],
      configs: Object.fromEntries((this.flags.config ?? []) as unknown as Array<[string, string]>),
    }
    const {createTopics} = await import('../../lib/kafka/topic-changes.js')
    await this.withKafka(({admin}) => createTopics(admin, [topic]))
    this.print(
      `created topic ${name} (${topic.partitions} partition${topic.partitions === 1 ? '' : 's'}, replication ${topic.replication})`,
    )
    return {created: topic}
  }
}
