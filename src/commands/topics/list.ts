import {KafkaCommand, kafkaFlags} from '../../cli/kafka-command.js'
import type {TopicSummary} from '../../lib/kafka/topics.js'
import {formatTable} from '../../lib/text/table.js'

export interface TopicsListResult {
  brokers: string[]
  topics: TopicSummary[]
}

export default class TopicsList extends KafkaCommand<typeof TopicsList> {
  static override summary = 'List the Kafka topics with their partitions, replication and record counts.'
  static override description =
    'Internal topics (names starting with "__") are left out. Records are the latest minus the earliest offset, summed over partitions.'
  static override examples = [
    '<%= config.bin %> topics list',
    '<%= config.bin %> topics list --brokers kafka-1:9092 --json',
  ]
  static override flags = {...kafkaFlags}

  async run(): Promise<TopicsListResult> {
    const {listTopics} = await import('../../lib/kafka/topics.js')
    const result = await this.withKafka(async ({admin, brokers}) => ({brokers, topics: await listTopics(admin)}))
    if (result.topics.length === 0) this.print(`no topics on ${result.brokers.join(',')}`)
    else
      this.print(
        formatTable([
          ['TOPIC', 'PARTITIONS', 'REPLICATION', 'RECORDS'],
          ...result.topics.map((topic) => [topic.name, topic.partitions, topic.replication, topic.messages]),
        ]),
      )
    return result
  }
}
