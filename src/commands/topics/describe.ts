import {Args, Flags} from '@oclif/core'
import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'
import type {TopicDescription} from '../../lib/kafka/topics.js'
import {formatTable} from '../../lib/text/table.js'

export default class TopicsDescribe extends KafkaCommand<typeof TopicsDescribe> {
  static override summary = 'Describe a topic: partitions with leaders and earliest/latest offsets, and its configs.'
  static override description =
    'Configs come from DescribeConfigs; by default only the ones set on the topic are shown, --all-configs adds the broker defaults. Sizes are given as record counts (latest minus earliest offset); byte sizes need DescribeLogDirs, which kafkajs does not speak.'
  static override examples = [
    '<%= config.bin %> topics describe user-events',
    '<%= config.bin %> topics describe user-events --all-configs --json',
  ]
  static override args = {topic: Args.string({required: true, description: 'Topic name'})}
  static override flags = {
    'all-configs': Flags.boolean({description: 'Also show configs inherited from the broker defaults.'}),
    ...kafkaFlags,
  }

  async run(): Promise<TopicDescription> {
    const {describeTopic} = await import('../../lib/kafka/topics.js')
    const topic = await this.withKafka(({admin}) => describeTopic(admin, this.args.topic))
    const configs = this.flags['all-configs'] ? topic.configs : topic.configs.filter((config) => config.override)
    this.print(
      `topic ${topic.name}: ${topic.partitions} partitions, replication ${topic.replication}, ${topic.messages} records\n`,
    )
    this.print(
      formatTable([
        ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'EARLIEST', 'LATEST', 'RECORDS'],
        ...topic.partitionDetails.map((partition) => [
          partition.partition,
          partition.leader,
          partition.replicas.join(','),
          partition.isr.join(','),
          partition.earliest,
          partition.latest,
          partition.messages,
        ]),
      ]),
    )
    this.print(`\nconfigs${this.flags['all-configs'] ? '' : ' set on the topic'}:`)
    this.print(
      configs.length === 0
        ? '  (none)'
        : formatTable(
            configs.map((config) => [
              config.name,
              config.sensitive ? '(sensitive)' : (config.value ?? '(null)'),
              config.override ? '' : 'default',
            ]),
            '  ',
          ),
    )
    return this.flags['all-configs'] ? topic : {...topic, configs}
  }
}
